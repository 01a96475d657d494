"""Importance ingredients from stock MMDetection dense heads, without copying
their loss code.

:func:`attach_ingredients` wraps two methods of one head *instance*: the
per-image target method (``_get_targets_single``), to keep what the head's
own assigner decided, and ``loss_by_feat``, which after the stock loss turns
the kept targets and the head's predictions into the ingredients of
:mod:`.ingredients` and publishes them. The loss, its gradients and the
head's parameters are untouched.

Per adapted head (the first match along the head's class hierarchy; a
user's module adds one to :data:`mmdet_is.registry.HEAD_ADAPTERS`):

======================  =============================  ========================
head                    object index from              predicted box
======================  =============================  ========================
``AnchorHead`` family   ``sampling_result``            ``bbox_coder.decode``
(RetinaNet, ...)        (``pos_assigned_gt_inds``)
``ATSSHead``            ``sampling_result``            ``bbox_coder.decode``
``GFLHead``             ``sampling_result``            anchor centre +
                                                       ``integral`` x stride
``RTMDetHead``          ``sampling_result``            point + distances
``FCOSHead``            target box = its gt box        point + distances
                        (the assigner keeps no index)  (x stride when
                                                       ``norm_on_bbox``)
======================  =============================  ========================

``a`` and ``fg``: sigmoid heads (``use_sigmoid_cls``) by
``sigmoid_target_prob`` (``1 - max_c sigmoid`` on negatives) and
``sigmoid_foreground_prob``, softmax heads by ``softmax_target_prob`` and
``softmax_foreground_prob`` (:mod:`mmdet_is.models.utils`).
``care``: the head's label weight is positive (False on locations its
assigner ignores and on anchors outside the image); all True for
``FCOSHead``, which ignores none. ``obj_inds`` index the image's
``gt_instances``. Locations are flattened as the heads flatten them: per
image, level after level, location-major with the anchors of a location
innermost.
"""
import inspect
from typing import List, Optional, Tuple

import torch
from torch import Tensor

from mmdet.structures.bbox import distance2bbox, get_box_tensor
from ..models.utils.importance_ingredients import (
    IngredientsTap, aligned_overlaps, flatten_levels, sigmoid_foreground_prob,
    sigmoid_target_prob, softmax_foreground_prob, softmax_target_prob,
    start_timer)
from ..registry import HEAD_ADAPTERS, registered


def level_priors(head, featmap_sizes, device) -> Tuple[Tensor, Tensor]:
    """All priors of one image ``(P, 2 or 4)`` pixels and their strides
    ``(P,)`` pixels, from the head's own prior generator."""
    priors = head.prior_generator.grid_priors(featmap_sizes, device=device)
    strides = torch.cat([
        p.new_full((len(p), ), float(s[0]))
        for p, s in zip(priors, head.prior_generator.strides)
    ])
    return torch.cat(priors), strides


def sampled_object_index(head, targets: tuple, gt_instances, priors: Tensor,
                         labels_at: int) -> Tuple[Tensor, Tensor, Tensor]:
    """Object index of anchor-style heads from their ``sampling_result``
    (last element of the target tuple): the positives, in ascending order
    of their (unmapped) position, are the sampler's ``pos_inds`` in
    ascending order. ``labels_at``: position of ``labels`` ``(P,)`` in the
    head's per-image target tuple; ``label_weights`` follow it.

    Raises:
        RuntimeError: the positive labels and the sampling result disagree
            (the head flattens or samples in a way this adapter does not
            know).
    """
    labels = targets[labels_at]
    care = targets[labels_at + 1] > 0
    result = targets[-1]
    obj_inds = labels.new_full(labels.shape, -1)
    pos = (labels < head.num_classes).nonzero().squeeze(1)
    order = result.pos_inds.argsort()
    if len(pos) != len(order) or len(labels) != len(priors):
        raise RuntimeError(
            f'{type(head).__name__}: {len(pos)} positive labels of '
            f'{len(labels)} locations but the sampling result has '
            f'{len(order)} positives of {len(priors)} priors')
    obj_inds[pos] = result.pos_assigned_gt_inds[order].long()
    return labels, care, obj_inds


def matched_object_index(head, targets: tuple, gt_instances,
                         priors: Tensor) -> Tuple[Tensor, Tensor, Tensor]:
    """Object index of ``FCOSHead``, whose targets are side distances
    ``(P, 4)`` in pixels: the box they describe at each positive point is
    its ground truth box (nearest in L1; equal boxes are interchangeable)."""
    labels, distances = targets[0], targets[1]
    obj_inds = labels.new_full(labels.shape, -1)
    pos = labels < head.num_classes
    gt_boxes = get_box_tensor(gt_instances.bboxes)
    if len(gt_boxes):
        boxes = distance2bbox(priors[:, :2], distances)
        nearest = torch.cdist(boxes, gt_boxes.to(boxes), p=1).argmin(1)
        obj_inds = torch.where(pos, nearest, obj_inds)
    return labels, torch.ones_like(pos), obj_inds


def decode_deltas(head, bbox_preds, priors, strides) -> Tensor:
    """``AnchorHead``/``ATSSHead``: the head's ``bbox_coder`` on its
    deltas."""
    deltas = flatten_levels(bbox_preds, head.bbox_coder.encode_size)
    anchors = priors.expand(len(deltas), -1, -1)
    return get_box_tensor(head.bbox_coder.decode(anchors, deltas.detach()))


def decode_gfl(head, bbox_preds, priors, strides) -> Tensor:
    """``GFLHead``: expected side distances of its discrete distributions
    (``integral``), in strides, around the anchor centre."""
    dist = flatten_levels(bbox_preds, 4 * (head.reg_max + 1)).detach()
    sides = head.integral(dist.reshape(-1, 4 * (head.reg_max + 1)))
    sides = sides.view(len(dist), -1, 4) * strides[:, None]
    return distance2bbox(head.anchor_center(priors).expand(len(dist), -1, -1),
                         sides)


def decode_distances(head, bbox_preds, priors, strides) -> Tensor:
    """``RTMDetHead`` (distances in pixels) and ``FCOSHead`` (in strides
    when ``norm_on_bbox``)."""
    dist = flatten_levels(bbox_preds, 4).detach()
    if getattr(head, 'norm_on_bbox', False):
        dist = dist * strides[:, None]
    return distance2bbox(priors[:, :2].expand(len(dist), -1, -1), dist)


class HeadAdapter:
    """How to read one head family: a subclass registered in
    :data:`mmdet_is.registry.HEAD_ADAPTERS` under the name of the head
    class it reads (it also reads that class's subclasses) implements
    :meth:`object_index` and :meth:`decode`; :meth:`attach` makes a head
    publish with them."""

    def attach(self, head) -> IngredientsTap:
        """Wrap ``head``'s ``_get_targets_single`` and ``loss_by_feat``
        (this instance only) so that every loss also publishes its
        ingredients into a new tap, set as ``head.importance_tap`` and
        returned.

        Returns:
            IngredientsTap: the head's tap.
        """
        tap = IngredientsTap()
        targets: List[tuple] = []
        target_single = head._get_targets_single
        loss_by_feat = head.loss_by_feat
        signature = inspect.signature(loss_by_feat)

        def keep_targets(*args, **kwargs):
            out = target_single(*args, **kwargs)
            targets.append(out)
            return out

        def loss_and_ingredients(*args, **kwargs):
            targets.clear()
            losses = loss_by_feat(*args, **kwargs)
            bound = signature.bind(*args, **kwargs).arguments
            timer = start_timer(bound['cls_scores'][0].device)
            gts = bound['batch_gt_instances']
            ingredients = build_ingredients(self, head, bound['cls_scores'],
                                            bound['bbox_preds'], gts,
                                            targets)
            tap.publish(ingredients, max(len(g) for g in gts), timer)
            targets.clear()
            return losses

        head._get_targets_single = keep_targets
        head.loss_by_feat = loss_and_ingredients
        head.importance_tap = tap
        return tap

    def object_index(self, head, targets: tuple, gt_instances,
                     priors: Tensor) -> Tuple[Tensor, Tensor, Tensor]:
        """``(labels, care, obj_inds)`` of one image, each ``(P,)``, from
        the head's per-image ``targets`` (what ``_get_targets_single``
        returned)."""
        raise NotImplementedError

    def decode(self, head, bbox_preds: List[Tensor], priors: Tensor,
               strides: Tensor) -> Tensor:
        """``(B, P, 4)`` predicted boxes in pixels; ``bbox_preds`` are the
        head's per-level outputs, ``priors`` ``(P, 2 or 4)`` pixels,
        ``strides`` ``(P,)`` pixels."""
        raise NotImplementedError


class SampledHeadAdapter(HeadAdapter):
    """Anchor-style heads whose targets end with a ``sampling_result``;
    ``labels_at``: position of ``labels`` in the per-image target tuple."""

    labels_at = 1

    def object_index(self, head, targets, gt_instances, priors):
        return sampled_object_index(head, targets, gt_instances, priors,
                                    self.labels_at)


@HEAD_ADAPTERS.register_module(name='AnchorHead')
class AnchorHeadAdapter(SampledHeadAdapter):
    """RetinaNet and the rest of the ``AnchorHead`` family."""
    labels_at = 0

    def decode(self, head, bbox_preds, priors, strides):
        return decode_deltas(head, bbox_preds, priors, strides)


@HEAD_ADAPTERS.register_module(name='ATSSHead')
class ATSSHeadAdapter(AnchorHeadAdapter):
    """``ATSSHead``: deltas like the AnchorHead, labels second."""
    labels_at = 1


@HEAD_ADAPTERS.register_module(name='GFLHead')
class GFLHeadAdapter(SampledHeadAdapter):
    """``GFLHead``: discrete side distributions."""

    def decode(self, head, bbox_preds, priors, strides):
        return decode_gfl(head, bbox_preds, priors, strides)


@HEAD_ADAPTERS.register_module(name='RTMDetHead')
class RTMDetHeadAdapter(SampledHeadAdapter):
    """``RTMDetHead``: side distances in pixels."""

    def decode(self, head, bbox_preds, priors, strides):
        return decode_distances(head, bbox_preds, priors, strides)


@HEAD_ADAPTERS.register_module(name='FCOSHead')
class FCOSHeadAdapter(HeadAdapter):
    """``FCOSHead``: the object index from the target boxes."""

    def object_index(self, head, targets, gt_instances, priors):
        return matched_object_index(head, targets, gt_instances, priors)

    def decode(self, head, bbox_preds, priors, strides):
        return decode_distances(head, bbox_preds, priors, strides)


def find_adapter(head_type: type) -> HeadAdapter:
    """The adapter registered for the nearest class in ``head_type``'s MRO
    (:data:`mmdet_is.registry.HEAD_ADAPTERS`, by class name).

    Raises:
        TypeError: no adapted class (the message lists them).
    """
    for cls in head_type.__mro__:
        adapter = registered(HEAD_ADAPTERS, cls.__name__)
        if adapter is not None:
            return adapter()
    raise TypeError(
        f'no importance adapter for {head_type.__name__}; adapted heads: '
        f'{sorted(HEAD_ADAPTERS.module_dict)} and their subclasses, and '
        'heads with attach_importance_tap (FCOSSoftmaxHead); '
        'register one in mmdet_is.registry.HEAD_ADAPTERS')


def build_ingredients(adapter: HeadAdapter, head, cls_scores: List[Tensor],
                      bbox_preds: List[Tensor], batch_gt_instances,
                      targets: List[tuple]) -> dict:
    """The ingredients of one step from the head's outputs and the
    per-image targets its loss computed, read by ``adapter``.

    Returns:
        ``a``, ``fg``, ``iou``, ``giou``, ``care``, ``obj_inds``, each
        ``(B, P)``.
    """
    device = cls_scores[0].device
    priors, strides = level_priors(
        head, [s.shape[-2:] for s in cls_scores], device)
    per_image = [adapter.object_index(head, t, gt, priors)
                 for t, gt in zip(targets, batch_gt_instances)]
    labels, care, obj_inds = (torch.stack(x) for x in zip(*per_image))
    target_boxes = torch.stack([
        get_box_tensor(gt.bboxes).to(priors)[o.clamp(min=0)]
        if len(gt) else priors.new_zeros(len(o), 4)
        for gt, o in zip(batch_gt_instances, obj_inds)
    ])
    pred_boxes = adapter.decode(head, bbox_preds, priors, strides)
    logits = flatten_levels(cls_scores, head.cls_out_channels)
    if head.use_sigmoid_cls:
        a = sigmoid_target_prob(logits, labels)
        fg = sigmoid_foreground_prob(logits)
    else:
        a = softmax_target_prob(logits, labels)
        fg = softmax_foreground_prob(logits)
    iou, giou = aligned_overlaps(pred_boxes, target_boxes, obj_inds)
    return dict(a=a, fg=fg, iou=iou, giou=giou, care=care, obj_inds=obj_inds)


def attach_ingredients(head) -> IngredientsTap:
    """Make ``head`` publish importance ingredients with every loss, into
    the tap returned (the head's ``importance_tap``).

    A head that publishes natively (``attach_importance_tap``,
    FCOSSoftmaxHead) attaches its own tap; a stock head is attached by its
    adapter (:func:`find_adapter`, :meth:`HeadAdapter.attach`). Attaching
    a head again returns its tap and wraps nothing twice.

    Raises:
        TypeError: the head is neither (see :func:`find_adapter`).
    """
    if hasattr(head, 'attach_importance_tap'):
        return head.attach_importance_tap()
    if getattr(head, 'importance_tap', None) is not None:
        return head.importance_tap
    return find_adapter(type(head)).attach(head)


def head_of(model) -> Optional[object]:
    """The dense head of a (possibly DDP-wrapped) single-stage detector."""
    model = getattr(model, 'module', model)
    return getattr(model, 'bbox_head', None)
