"""FCOS-style head with softmax cross-entropy, GIoU and don't-care masking.

Source: thesis (Huang & Kvernes 2023) sections 2.2.5 and 4.1, loss eq. 4.1;
optimal bias initialisation from Chen et al., "Is heuristic sampling necessary
in training deep object detectors?" (docs/method.md section 5).
"""
import math
from typing import Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
from mmcv.cnn import Scale
from mmengine.structures import InstanceData
from torch import Tensor

from mmdet.models.dense_heads import AnchorFreeHead
from mmdet.models.losses.utils import weight_reduce_loss
from mmdet.models.utils import multi_apply
from mmdet.registry import MODELS, TASK_UTILS
from mmdet.structures.bbox import distance2bbox
from mmdet.utils import (ConfigType, InstanceList, MultiConfig,
                         OptInstanceList, reduce_mean)
from ..utils.importance_ingredients import (IMPORTANCE_WEIGHT_KEY,
                                            IngredientsTap, aligned_overlaps,
                                            flatten_levels, host_to_device,
                                            softmax_foreground_prob,
                                            softmax_target_prob, start_timer)


@MODELS.register_module()
class FCOSSoftmaxHead(AnchorFreeHead):
    """Anchor-free dense head: ``C + 1`` softmax logits and 4 side distances.

    Differences from mmdet's :class:`~mmdet.models.dense_heads.FCOSHead`: no
    centerness branch; ``C + 1`` logits (index ``C`` is background, mmdet's
    convention) with softmax cross-entropy instead of sigmoid focal loss;
    don't-care boxes (``batch_gt_instances_ignore``) give box targets but no
    class gradient; the classification bias starts at the background prior.
    Works with one level (the thesis: a DLA neck, stride 8) and with several
    (e.g. mmdet's FPN; then set the assigner's ``regress_ranges``).

    Per location the head predicts, in **stride units**, the distances
    ``(l, t, r, b) >= 0`` (ReLU after a learnable per-level scale) from its point
    ``(s/2 + x s, s/2 + y s)`` to the box sides. ``predict_by_feat`` multiplies
    them by the stride, so detections are in pixels.

    Loss (thesis eq. 4.1), with sums over all locations of the batch::

        L = l_cls / N_care * sum care * CE(c, c*) + l_reg / N_pos * sum_pos GIoU

    ``N_care`` and ``N_pos`` are averaged over GPUs (``reduce_mean``). Positive
    locations are those assigned to any box, don't-care boxes included.
    An image whose metainfo holds a loss weight under
    :data:`~mmdet_is.models.utils.IMPORTANCE_WEIGHT_KEY` (unbiased
    importance sampling, InfoBatch; written by
    :class:`~mmdet_is.engine.ImportanceSamplingHook`) has both
    terms of its locations multiplied by it; ``N_care`` and ``N_pos`` stay
    counts.

    Args:
        num_classes (int): ``C``, object classes without background.
        in_channels (int): channels of the input feature map(s).
        prior_prob (float): expected fraction of foreground locations, used for
            the optimal bias initialisation: background bias ``log(1 - pi)``,
            each class ``log(pi / C)``, so the initial softmax equals the prior
            and the initial CE is minimal for a data set with that fraction.
        assigner (dict): config of the point assigner (TASK_UTILS), default
            :class:`~mmdet_is.models.DontCarePointAssigner`.
        loss_cls (dict): must be a softmax loss (``use_sigmoid=False``).
        loss_bbox (dict): a box-overlap loss on ``(x1, y1, x2, y2)`` boxes.
        reg_bias_init (float): initial bias of the distance outputs, stride
            units. Boxes that start as points (bias 0) have a GIoU gradient
            near 0 (the overlap is a product of two near-zero sides); 1.0
            starts every location with a 2 x 2 stride box.
        batched_targets (bool): assign the whole batch at once
            (``assign_batch``, same targets) when the assigner can; False:
            image by image, as mmdet's heads do (``bench_assigner.py``
            compares the two).
        Other args as for :class:`~mmdet.models.dense_heads.AnchorFreeHead`.

    Importance ingredients: once :meth:`attach_importance_tap` has given
    the head its :class:`~mmdet_is.models.utils.IngredientsTap`
    (``importance_tap``; the hook attaches it before training), every
    ``loss_by_feat`` also publishes into it the per-location ingredients of
    :mod:`mmdet_is.models.utils.importance_ingredients` from the same
    tensors (detached, no extra pass): ``a = softmax(logits)[target]``,
    IoU and GIoU of the decoded boxes, the care mask and the object index
    (don't-care boxes after the ground truth boxes).

    Raises:
        ValueError: ``loss_cls`` uses sigmoid, or ``prior_prob`` not in (0, 1).
    """

    applies_importance_weight = True

    def __init__(self,
                 num_classes: int,
                 in_channels: int,
                 strides: Sequence[int] = (8, ),
                 prior_prob: float = 0.01,
                 assigner: ConfigType = dict(type='DontCarePointAssigner'),
                 loss_cls: ConfigType = dict(
                     type='CrossEntropyLoss', use_sigmoid=False,
                     loss_weight=1.0),
                 loss_bbox: ConfigType = dict(type='GIoULoss', loss_weight=1.0),
                 reg_bias_init: float = 1.0,
                 batched_targets: bool = True,
                 init_cfg: MultiConfig = dict(
                     type='Normal', layer='Conv2d', std=0.01),
                 **kwargs) -> None:
        if loss_cls.get('use_sigmoid', False):
            raise ValueError('FCOSSoftmaxHead needs a softmax loss_cls '
                             '(use_sigmoid=False), got ' + repr(loss_cls))
        if not 0 < prior_prob < 1:
            raise ValueError(f'prior_prob must be in (0, 1), got {prior_prob}')
        self.prior_prob = prior_prob
        self.importance_tap: Optional[IngredientsTap] = None
        self.reg_bias_init = reg_bias_init
        self.batched_targets = batched_targets
        super().__init__(
            num_classes=num_classes,
            in_channels=in_channels,
            strides=strides,
            loss_cls=loss_cls,
            loss_bbox=loss_bbox,
            init_cfg=init_cfg,
            **kwargs)
        self.assigner = TASK_UTILS.build(assigner)

    def _init_layers(self) -> None:
        super()._init_layers()
        self.scales = nn.ModuleList([Scale(1.0) for _ in self.strides])

    def init_weights(self) -> None:
        """Normal(0, 0.01) convs, then the classification bias from the prior."""
        super().init_weights()
        bias = torch.full_like(self.conv_cls.bias,
                               math.log(self.prior_prob / self.num_classes))
        bias[self.num_classes] = math.log(1 - self.prior_prob)
        with torch.no_grad():
            self.conv_cls.bias.copy_(bias)
            self.conv_reg.bias.fill_(self.reg_bias_init)

    def forward(self, x: Tuple[Tensor]) -> Tuple[List[Tensor], List[Tensor]]:
        """Predict every level.

        Args:
            x: feature maps ``(B, in_channels, H_l, W_l)``, one per stride.

        Returns:
            cls_scores: per level ``(B, C + 1, H_l, W_l)`` logits.
            bbox_preds: per level ``(B, 4, H_l, W_l)`` distances in stride
            units, non-negative.
        """
        return multi_apply(self.forward_single, x, self.scales)

    def forward_single(self, x: Tensor, scale: Scale) -> Tuple[Tensor, Tensor]:
        """One level: logits ``(B, C + 1, H, W)`` and ReLU(scale * distances)
        ``(B, 4, H, W)`` in stride units."""
        cls_score, bbox_pred, _, _ = super().forward_single(x)
        return cls_score, scale(bbox_pred).float().relu()

    def get_targets(
        self,
        priors: Tensor,
        batch_gt_instances: InstanceList,
        batch_gt_instances_ignore: OptInstanceList = None,
        featmap_sizes: Optional[Sequence[Tuple[int, int]]] = None
    ) -> Tuple[Tensor, Tensor, Tensor, Tensor]:
        """Assign the locations of every image with ``self.assigner``.

        With ``featmap_sizes``, ``batched_targets`` and an assigner that has
        ``assign_batch`` (:class:`~mmdet_is.models.DontCarePointAssigner`)
        the whole batch is assigned at once; otherwise image by image with
        ``assign``. Both give the same targets.

        Args:
            priors: ``(P, 4)`` points and strides of all levels, pixels.
            batch_gt_instances: per image ``bboxes (G, 4)``, ``labels (G,)``.
            batch_gt_instances_ignore: per image don't-care ``bboxes (D, 4)``.
            featmap_sizes: ``(H_l, W_l)`` per level.

        Returns:
            labels ``(B, P)`` long in ``[0, C]`` (``C`` = background, also on
            don't-care locations), bbox_targets ``(B, P, 4)`` in stride units,
            care_mask ``(B, P)`` bool, obj_inds ``(B, P)`` long (index into
            ``[gt boxes; don't-care boxes]`` of the image, -1 = background).
        """
        if batch_gt_instances_ignore is None:
            batch_gt_instances_ignore = [None] * len(batch_gt_instances)
        if featmap_sizes is not None and self.batched_targets and hasattr(
                self.assigner, 'assign_batch'):
            labels, targets, care, objs = self.assigner.assign_batch(
                priors, featmap_sizes, batch_gt_instances,
                batch_gt_instances_ignore)
            labels = labels.masked_fill(labels < 0, self.num_classes)
            return labels, targets, care, objs
        pred = InstanceData(priors=priors)
        labels, targets, cares, objs = [], [], [], []
        for gt, ignore in zip(batch_gt_instances, batch_gt_instances_ignore):
            result = self.assigner.assign(pred, gt, ignore)
            label = result.labels.clone()
            label[label < 0] = self.num_classes
            labels.append(label)
            targets.append(result.get_extra_property('bbox_targets'))
            cares.append(result.get_extra_property('care_mask'))
            objs.append(result.get_extra_property('obj_inds'))
        return (torch.stack(labels), torch.stack(targets), torch.stack(cares),
                torch.stack(objs))

    def loss_by_feat(
            self,
            cls_scores: List[Tensor],
            bbox_preds: List[Tensor],
            batch_gt_instances: InstanceList,
            batch_img_metas: List[dict],
            batch_gt_instances_ignore: OptInstanceList = None
    ) -> Dict[str, Tensor]:
        """Loss of thesis eq. 4.1.

        Args:
            cls_scores: per level ``(B, C + 1, H_l, W_l)`` logits.
            bbox_preds: per level ``(B, 4, H_l, W_l)``, stride units.
            batch_gt_instances: per image ``bboxes (G, 4)`` pixels, ``labels``.
            batch_img_metas: per image meta information.
            batch_gt_instances_ignore: per image don't-care ``bboxes (D, 4)``.

        Returns:
            dict: ``loss_cls`` and ``loss_bbox``, scalars.
        """
        featmap_sizes = [s.shape[-2:] for s in cls_scores]
        priors = torch.cat(
            self.prior_generator.grid_priors(
                featmap_sizes, dtype=bbox_preds[0].dtype,
                device=bbox_preds[0].device, with_stride=True))
        labels, bbox_targets, care, obj_inds = self.get_targets(
            priors, batch_gt_instances, batch_gt_instances_ignore,
            featmap_sizes)

        cls_flat = flatten_levels(cls_scores, self.cls_out_channels)
        bbox_flat = flatten_levels(bbox_preds, 4)  # (B, P, 4) stride units

        # per-image loss weights of the sampler's policy (unbiased
        # importance sampling, InfoBatch); 1 when absent
        img_w = host_to_device(
            [float(m.get(IMPORTANCE_WEIGHT_KEY, 1.0))
             for m in batch_img_metas],
            cls_flat.dtype, cls_flat.device)[:, None].expand_as(labels)
        n_care = reduce_mean(care.sum().float()).clamp(min=1.0)
        loss_cls = self.loss_cls(
            cls_flat.reshape(-1, self.cls_out_channels), labels.reshape(-1),
            weight=(care.float() * img_w).reshape(-1), avg_factor=n_care)

        # Boxes in stride units (points / stride, distances in stride units):
        # GIoU and IoU are scale invariant.
        points = (priors[:, :2] / priors[:, 2:3]).expand(len(labels), -1, -1)
        pred_boxes = distance2bbox(points, bbox_flat)
        target_boxes = distance2bbox(points, bbox_targets)
        pos = obj_inds >= 0  # (B, P): assigned to any box, don't-care too
        n_pos = reduce_mean(pos.sum().float()).clamp(min=1.0)
        # at every location, weight 0 off the positives: no shape depends on
        # the data, so a GPU is never waited for (the target box of a
        # background location is its point: a finite loss, weighted 0)
        loss_bbox = weight_reduce_loss(
            self.loss_bbox(pred_boxes.reshape(-1, 4),
                           target_boxes.reshape(-1, 4),
                           reduction_override='none'),
            weight=(pos * img_w).reshape(-1), reduction='mean',
            avg_factor=n_pos)
        if self.importance_tap is not None:
            timer = start_timer(cls_flat.device)
            iou, giou = aligned_overlaps(pred_boxes, target_boxes, obj_inds)
            num_objects = max(
                len(gt) + (len(ign) if ign is not None else 0)
                for gt, ign in zip(batch_gt_instances,
                                   batch_gt_instances_ignore or
                                   [None] * len(batch_gt_instances)))
            self.importance_tap.publish(
                dict(a=softmax_target_prob(cls_flat, labels),
                     fg=softmax_foreground_prob(cls_flat), iou=iou,
                     giou=giou, care=care, obj_inds=obj_inds),
                num_objects, timer)
        return dict(loss_cls=loss_cls, loss_bbox=loss_bbox)

    def attach_importance_tap(self) -> IngredientsTap:
        """Publish the ingredients of every later loss into this head's
        :class:`~mmdet_is.models.utils.IngredientsTap` and return it
        (the same tap when called again)."""
        if self.importance_tap is None:
            self.importance_tap = IngredientsTap()
        return self.importance_tap

    def predict_by_feat(self,
                        cls_scores: List[Tensor],
                        bbox_preds: List[Tensor],
                        score_factors: Optional[List[Tensor]] = None,
                        batch_img_metas: Optional[List[dict]] = None,
                        cfg: Optional[ConfigType] = None,
                        rescale: bool = False,
                        with_nms: bool = True) -> InstanceList:
        """Scale distances to pixels, then mmdet's softmax decoding and NMS.

        Scores are ``softmax(logits)[:, :C]``; ``test_cfg`` gives ``score_thr``,
        ``nms_pre``, ``nms`` (per-class, IoU threshold) and ``max_per_img``.

        Returns:
            list[InstanceData]: per image ``bboxes (K, 4)`` pixels (original
            image when ``rescale``), ``scores (K,)`` probabilities,
            ``labels (K,)``.
        """
        bbox_preds = [b * s for b, s in zip(bbox_preds, self.strides)]
        return super().predict_by_feat(
            cls_scores, bbox_preds, score_factors, batch_img_metas, cfg,
            rescale, with_nms)
