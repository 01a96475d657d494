"""Point assigner for single-level FCOS with don't-care boxes.

Source: thesis (Huang & Kvernes 2023) eq. 2.4 and section 4.1.3; method.md
section 1 ("Targets", "Don't-care").
"""
from typing import Optional, Sequence, Tuple

import torch
from mmengine.structures import InstanceData

from mmdet.models.task_modules.assigners import AssignResult, BaseAssigner
from mmdet.registry import TASK_UTILS

INF = 1e8


@TASK_UTILS.register_module()
class DontCarePointAssigner(BaseAssigner):
    """Assign every feature location to at most one box, smallest box first.

    A location (point ``(x, y)`` in pixels) is positive for a box when it lies
    strictly inside it; when it lies inside several, the box with the smallest
    area wins (eq. 2.4). Don't-care boxes (``gt_instances_ignore``, e.g. KITTI
    ``DontCare``) take part in the same rule: a location they win gets box
    targets but a care mask of 0, so it receives box gradients and no class
    gradient (thesis 4.1.3). Locations inside no box are background (care 1).

    Args:
        center_sampling (bool): only points within ``center_sample_radius *
            stride`` pixels of a box centre (and inside the box) may be
            positive, as in FCOS. Off by default (method.md: Decision).
        center_sample_radius (float): radius in stride units.
        regress_ranges (Sequence[tuple] | None): one ``(min, max)`` pair in
            pixels per level, in ascending stride order; a point is positive
            only when the largest side distance lies in ``[min, max]`` of its
            level (FCOS multi-level assignment). ``None`` (default): no ranges.

    Raises:
        ValueError: ``regress_ranges`` does not have one pair per stride present
            in the priors.
    """

    def __init__(self,
                 center_sampling: bool = False,
                 center_sample_radius: float = 1.5,
                 regress_ranges: Optional[Sequence[Tuple[float, float]]] = None
                 ) -> None:
        self.center_sampling = center_sampling
        self.center_sample_radius = center_sample_radius
        self.regress_ranges = regress_ranges

    def assign(self,
               pred_instances: InstanceData,
               gt_instances: InstanceData,
               gt_instances_ignore: Optional[InstanceData] = None,
               **kwargs) -> AssignResult:
        """Assign locations to ground-truth and don't-care boxes.

        Args:
            pred_instances: ``priors`` of shape ``(P, 4)``: ``(x, y, stride_w,
                stride_h)`` in pixels, as from
                ``MlvlPointGenerator.grid_priors(..., with_stride=True)``.
            gt_instances: ``bboxes (G, 4)`` as ``(x1, y1, x2, y2)`` pixels and
                ``labels (G,)`` in ``[0, num_classes)``.
            gt_instances_ignore: don't-care ``bboxes (D, 4)``, or ``None``.

        Returns:
            AssignResult: ``num_gts = G + D``; ``gt_inds (P,)``: 0 for
            background, ``k + 1`` for object ``k`` of the concatenation
            ``[gt boxes; don't-care boxes]``; ``labels (P,)``: the class of the
            assigned real box, -1 for background and don't-care locations.
            Extra properties: ``bbox_targets (P, 4)``: ``(l, t, r, b)`` side
            distances in stride units (0 for background), ``care_mask (P,)``
            bool: False exactly on locations won by a don't-care box,
            ``obj_inds (P,)`` long: ``gt_inds - 1`` (-1 for background).
        """
        priors = pred_instances.priors
        points, strides = priors[:, :2], priors[:, 2]
        gt_bboxes, gt_labels = gt_instances.bboxes, gt_instances.labels
        if gt_instances_ignore is not None and len(gt_instances_ignore) > 0:
            ignore_bboxes = gt_instances_ignore.bboxes
        else:
            ignore_bboxes = gt_bboxes.new_zeros((0, 4))
        bboxes = torch.cat([gt_bboxes, ignore_bboxes])
        is_dontcare = torch.cat([
            gt_bboxes.new_zeros(len(gt_bboxes), dtype=torch.bool),
            gt_bboxes.new_ones(len(ignore_bboxes), dtype=torch.bool)
        ])
        num_points, num_boxes = len(points), len(bboxes)

        if num_boxes == 0:
            gt_inds = points.new_zeros(num_points, dtype=torch.long)
            result = AssignResult(0, gt_inds, None,
                                  labels=gt_inds.new_full((num_points, ), -1))
            result.set_extra_property('bbox_targets', points.new_zeros(
                (num_points, 4)))
            result.set_extra_property('care_mask', gt_inds.new_ones(
                num_points, dtype=torch.bool))
            result.set_extra_property('obj_inds', gt_inds - 1)
            return result

        xs, ys = points[:, 0, None], points[:, 1, None]
        ltrb = torch.stack([
            xs - bboxes[None, :, 0], ys - bboxes[None, :, 1],
            bboxes[None, :, 2] - xs, bboxes[None, :, 3] - ys
        ], dim=-1)  # (P, G, 4) pixels
        valid = ltrb.min(dim=-1).values > 0
        if self.center_sampling:
            valid &= self._in_center(points, strides, bboxes)
        if self.regress_ranges is not None:
            lo, hi = self._ranges_per_point(strides)
            max_side = ltrb.max(dim=-1).values
            valid &= (max_side >= lo[:, None]) & (max_side <= hi[:, None])

        areas = (bboxes[:, 2] - bboxes[:, 0]) * (bboxes[:, 3] - bboxes[:, 1])
        areas = areas[None].expand(num_points, num_boxes).clone()
        areas[~valid] = INF
        min_area, obj = areas.min(dim=1)
        positive = min_area < INF
        obj_inds = torch.where(positive, obj, obj.new_full(obj.shape, -1))

        care_mask = ~(positive & is_dontcare[obj])
        labels = obj.new_full((num_points, ), -1)
        real = positive & care_mask
        labels[real] = gt_labels[obj[real]].long()
        bbox_targets = ltrb[torch.arange(num_points, device=points.device),
                            obj] / strides[:, None]
        bbox_targets[~positive] = 0

        result = AssignResult(num_boxes, obj_inds + 1, None, labels=labels)
        result.set_extra_property('bbox_targets', bbox_targets)
        result.set_extra_property('care_mask', care_mask)
        result.set_extra_property('obj_inds', obj_inds)
        return result

    def _in_center(self, points, strides, bboxes):
        cx = (bboxes[:, 0] + bboxes[:, 2]) / 2
        cy = (bboxes[:, 1] + bboxes[:, 3]) / 2
        radius = strides[:, None] * self.center_sample_radius
        x1 = torch.maximum(cx[None] - radius, bboxes[None, :, 0])
        y1 = torch.maximum(cy[None] - radius, bboxes[None, :, 1])
        x2 = torch.minimum(cx[None] + radius, bboxes[None, :, 2])
        y2 = torch.minimum(cy[None] + radius, bboxes[None, :, 3])
        xs, ys = points[:, 0, None], points[:, 1, None]
        return (xs > x1) & (xs < x2) & (ys > y1) & (ys < y2)

    def _ranges_per_point(self, strides):
        levels = torch.unique(strides)  # ascending
        if len(levels) != len(self.regress_ranges):
            raise ValueError(
                f'regress_ranges has {len(self.regress_ranges)} pairs but the '
                f'priors have {len(levels)} strides {levels.tolist()}')
        ranges = strides.new_tensor(self.regress_ranges)
        level = torch.searchsorted(levels, strides.contiguous())
        return ranges[level, 0], ranges[level, 1]
