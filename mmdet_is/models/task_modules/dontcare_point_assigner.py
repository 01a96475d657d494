"""Point assigner for single-level FCOS with don't-care boxes.

Source: thesis (Huang & Kvernes 2023) eq. 2.4 and section 4.1.3; docs/method.md
section 1 ("Targets", "Don't-care").
"""
from typing import List, Optional, Sequence, Tuple

import torch
from mmengine.structures import InstanceData
from torch import Tensor
from torch.nn.utils.rnn import pad_sequence

from mmdet.models.task_modules.assigners import AssignResult, BaseAssigner
from mmdet.registry import TASK_UTILS

INF = 1e8


def side_distances(points: Tensor, boxes: Tensor) -> Tensor:
    """``(..., 4)`` distances ``(x - x1, y - y1, x2 - x, y2 - y)`` in pixels
    from ``points (..., 2)`` to ``boxes (..., 4)`` ``(x1, y1, x2, y2)``
    (broadcast): the ``ltrb`` of the batched assignment, with the float
    operations of :meth:`DontCarePointAssigner.assign`."""
    return torch.cat([points - boxes[..., :2], boxes[..., 2:] - points],
                     dim=-1)


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
            positive, as in FCOS. Off by default (docs/method.md: Decision).
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

    def assign_batch(
        self,
        priors: Tensor,
        featmap_sizes: Sequence[Tuple[int, int]],
        batch_gt_instances: List[InstanceData],
        batch_gt_instances_ignore: Optional[List[Optional[
            InstanceData]]] = None,
        method: Optional[str] = None
    ) -> Tuple[Tensor, Tensor, Tensor, Tensor]:
        """:meth:`assign` for a whole batch at once, with identical results.

        No loop over images. The predicate of :meth:`assign` (strictly
        inside, centre sampling) is separable in x and y, so per level it is
        evaluated on (box, column) and (box, row) pairs with the same float
        operations, which gives each box the exact block of cells it
        contains. Two ways on from there:

        - ``'pairs'`` (default on the CPU): the (box, cell) pairs of these
          blocks are listed, regress ranges checked on them, and the smallest
          box of each location wins through one scatter maximum of
          ``num_boxes - rank``, the boxes ranked by (area, index)
          (``torch.min``'s tie rule). The work grows with the number of
          pairs, not with ``B x P x G``; listing them reads their number on
          the host (a synchronisation on a GPU).
        - ``'dense'`` (default elsewhere): boxes padded to ``(B, G_max)``,
          the ``(B, G_max, P)`` matrix of :meth:`assign` built from the
          separable tests and reduced by ``torch.min`` over boxes. More
          work, all of it parallel, and no value is read on the host, so a
          GPU never waits (with regress ranges, their level lookup
          ``torch.unique`` still does). Holds 5 bytes per (image, box
          slot, location) of the largest level at once, 9 with regress
          ranges: 150 MB for 128 images of 30 boxes at 160 x 48.

        Args:
            priors: ``(P, 4)`` ``(x, y, stride_w, stride_h)`` in pixels of all
                levels, as from ``MlvlPointGenerator.grid_priors(...,
                with_stride=True)`` (row-major per level).
            featmap_sizes: ``(H_l, W_l)`` per level, in the order of
                ``priors``.
            batch_gt_instances: per image ``bboxes (G_i, 4)`` pixels and
                ``labels (G_i,)``.
            batch_gt_instances_ignore: per image don't-care ``bboxes`` or
                ``None``.
            method: ``'pairs'``, ``'dense'`` or ``None`` (``'pairs'`` for
                CPU tensors, ``'dense'`` otherwise).

        Returns:
            labels ``(B, P)`` long (-1 for background and don't-care),
            bbox_targets ``(B, P, 4)`` stride units, care_mask ``(B, P)``
            bool, obj_inds ``(B, P)`` long (index into ``[gt; don't-care]``
            of the image, -1 = background): the extra properties of
            :meth:`assign`, stacked.

        Raises:
            ValueError: ``featmap_sizes`` do not add up to ``P``; an unknown
                ``method``; as :meth:`assign` for ``regress_ranges``.
        """
        if batch_gt_instances_ignore is None:
            batch_gt_instances_ignore = [None] * len(batch_gt_instances)
        sizes = [int(h) * int(w) for h, w in featmap_sizes]
        if sum(sizes) != len(priors):
            raise ValueError(f'featmap_sizes {list(featmap_sizes)} hold '
                             f'{sum(sizes)} locations, priors {len(priors)}')
        if method is None:
            method = 'pairs' if priors.device.type == 'cpu' else 'dense'
        if method not in ('pairs', 'dense'):
            raise ValueError(
                f"assign_batch method must be 'pairs' or 'dense', got "
                f'{method!r}')
        ignores = [ign.bboxes if ign is not None and len(ign) > 0 else
                   gt.bboxes.new_zeros((0, 4))
                   for gt, ign in zip(batch_gt_instances,
                                      batch_gt_instances_ignore)]
        assign = self._assign_pairs if method == 'pairs' else \
            self._assign_dense
        return assign(priors, featmap_sizes, batch_gt_instances, ignores)

    def _assign_pairs(self, priors, featmap_sizes, batch_gt_instances,
                      ignores):
        """:meth:`assign_batch` by (box, cell) pairs."""
        num_imgs, num_points = len(batch_gt_instances), len(priors)
        device = priors.device
        # all boxes of the batch: image index, index in [gt; don't-care]
        parts = [t for gt, ign in zip(batch_gt_instances, ignores)
                 for t in (gt.bboxes, ign)]
        boxes = torch.cat(parts).to(priors)
        counts = torch.tensor([len(t) for t in parts], device=device)
        part = torch.arange(2 * num_imgs, device=device)
        img = torch.repeat_interleave(part // 2, counts)
        is_dc = torch.repeat_interleave(part % 2 == 1, counts)
        num_boxes = len(boxes)
        labels_of = torch.full((num_boxes, ), -1, dtype=torch.long,
                               device=device)
        labels_of[~is_dc] = torch.cat(
            [gt.labels for gt in batch_gt_instances]).long().to(device)
        box_in_img = torch.arange(num_boxes, device=device) - \
            torch.searchsorted(img, img, right=False)
        # boxes put in rank order by (area, index): the smallest wins, equal
        # areas the lower index, as torch.min in assign(); from here on a
        # box's position is its rank
        areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
        order = torch.sort(areas, stable=True).indices
        boxes, areas, img, is_dc, labels_of, box_in_img = (
            t.index_select(0, order)
            for t in (boxes, areas, img, is_dc, labels_of, box_in_img))

        # the predicate of assign() is separable: a location is inside a box
        # (and in its centre region) iff its column and its row are; per
        # level the (box, column) and (box, row) tests give each box the
        # exact block of cells it contains, with the same float operations
        candidate = areas < INF
        box_ids, flat_ids = [], []
        for start, h, w, _, _, cols, rows in self._separable_tests(
                priors, featmap_sizes, boxes):
            nx = cols.sum(1) * candidate
            ny = rows.sum(1) * (nx > 0)
            # first True of each row (intervals: the coordinates increase)
            jlo, ilo = cols.byte().argmax(1), rows.byte().argmax(1)
            # one segment per (box, row of its block): nx cells from flat
            # index seg_flat on
            seg_box = torch.repeat_interleave(
                torch.arange(num_boxes, device=device), ny)
            seg_row = torch.arange(len(seg_box), device=device) - \
                (ny.cumsum(0) - ny).index_select(0, seg_box)
            seg_len = nx.index_select(0, seg_box)
            seg_flat = (img * num_points + start + ilo * w + jlo).index_select(
                0, seg_box) + seg_row * w
            # pair k of a segment whose first pair is `first`: seg_flat + k -
            # first
            seg = torch.repeat_interleave(
                torch.arange(len(seg_box), device=device), seg_len)
            first = seg_len.cumsum(0) - seg_len
            box_ids.append(seg_box.index_select(0, seg))
            flat_ids.append((seg_flat - first).index_select(0, seg) +
                            torch.arange(len(seg), device=device))
        box, flat = (torch.cat(t) if len(t) > 1 else t[0]
                     for t in (box_ids, flat_ids))
        if self.regress_ranges is not None:
            point = flat % num_points
            lo, hi = self._ranges_per_point(priors[:, 2])
            max_side = self._ltrb_pairs(priors, point, boxes, box).max(
                dim=-1).values
            keep = ((max_side >= lo.index_select(0, point)) &
                    (max_side <= hi.index_select(0, point))).nonzero()[:, 0]
            box, flat = box.index_select(0, keep), flat.index_select(0, keep)

        # per location the best rank among the boxes that contain it, stored
        # as num_boxes - rank in obj_inds (-1: no box), then overwritten
        total = num_imgs * num_points
        obj_inds = box_in_img.new_full((total, ), -1)
        key = num_boxes - box
        obj_inds.scatter_reduce_(0, flat, key, 'amax')
        won = (key == obj_inds.index_select(0, flat)).nonzero()[:, 0]
        at, box = flat.index_select(0, won), box.index_select(0, won)
        point = at % num_points
        # locations no box won: background, care 1, label -1
        obj_inds.index_copy_(0, at, box_in_img.index_select(0, box))
        labels = labels_of.new_full((total, ), -1).index_copy_(
            0, at, labels_of.index_select(0, box))
        care = is_dc.new_ones(total).index_copy_(
            0, at, ~is_dc.index_select(0, box))
        strides = priors[:, 2].index_select(0, point)
        bbox_targets = priors.new_zeros((total, 4)).index_copy_(
            0, at, self._ltrb_pairs(priors, point, boxes, box).div_(
                strides[:, None]))
        return (labels.view(num_imgs, -1),
                bbox_targets.view(num_imgs, num_points, 4),
                care.view(num_imgs, -1), obj_inds.view(num_imgs, -1))

    def _assign_dense(self, priors, featmap_sizes, batch_gt_instances,
                      ignores):
        """:meth:`assign_batch` by a padded ``(B, G_max, P)`` matrix."""
        num_imgs = len(batch_gt_instances)
        # [gt; don't-care] of every image, padded with (0, 0, 0, 0): no
        # location lies strictly inside such a box, so it never wins
        boxes = pad_sequence(
            [torch.cat([gt.bboxes, ign]).to(priors)
             for gt, ign in zip(batch_gt_instances, ignores)],
            batch_first=True)  # (B, G, 4)
        is_dc = pad_sequence(
            [torch.cat([gt.labels.new_zeros(len(gt), dtype=torch.bool),
                        gt.labels.new_ones(len(ign), dtype=torch.bool)])
             for gt, ign in zip(batch_gt_instances, ignores)],
            batch_first=True).to(priors.device)
        labels_of = pad_sequence(
            [torch.cat([gt.labels.long(),
                        gt.labels.new_full((len(ign), ), -1).long()])
             for gt, ign in zip(batch_gt_instances, ignores)],
            batch_first=True, padding_value=-1).to(priors.device)
        num_boxes = boxes.shape[1]
        if num_boxes == 0:
            boxes = priors.new_zeros((num_imgs, 1, 4))
            is_dc = is_dc.new_zeros((num_imgs, 1))
            labels_of = labels_of.new_full((num_imgs, 1), -1)
            num_boxes = 1
        flat_boxes = boxes.view(-1, 4)
        areas = (boxes[..., 2] - boxes[..., 0]) * (
            boxes[..., 3] - boxes[..., 1])
        if self.regress_ranges is not None:
            lo_all, hi_all = self._ranges_per_point(priors[:, 2])
        min_areas, objs = [], []
        for start, h, w, xs, ys, cols, rows in self._separable_tests(
                priors, featmap_sizes, flat_boxes):
            valid = rows.view(num_imgs, num_boxes, h, 1) & cols.view(
                num_imgs, num_boxes, 1, w)  # (B, G, h, w)
            if self.regress_ranges is not None:
                # the largest of (l, t, r, b) = max(max(l, r), max(t, b))
                side_x = torch.maximum(xs[None] - flat_boxes[:, 0, None],
                                       flat_boxes[:, 2, None] - xs[None])
                side_y = torch.maximum(ys[None] - flat_boxes[:, 1, None],
                                       flat_boxes[:, 3, None] - ys[None])
                max_side = torch.maximum(
                    side_y.view(num_imgs, num_boxes, h, 1),
                    side_x.view(num_imgs, num_boxes, 1, w))
                valid &= (max_side >= lo_all[start]) & (
                    max_side <= hi_all[start])
            # the (P, G) areas matrix of assign(), INF where not valid
            masked = torch.where(valid, areas[..., None, None],
                                 areas.new_tensor(INF))
            min_area, obj = masked.view(num_imgs, num_boxes, h * w).min(dim=1)
            min_areas.append(min_area)
            objs.append(obj)
        min_area, obj = torch.cat(min_areas, 1), torch.cat(objs, 1)  # (B, P)
        positive = min_area < INF
        obj_inds = torch.where(positive, obj, obj.new_full((), -1))
        care = ~(positive & is_dc.gather(1, obj))
        labels = torch.where(positive & care, labels_of.gather(1, obj),
                             labels_of.new_full((), -1))
        ltrb = side_distances(
            priors[None, :, :2],
            boxes.gather(1, obj[..., None].expand(-1, -1, 4)))  # (B, P, 4)
        bbox_targets = torch.where(positive[..., None],
                                   ltrb / priors[None, :, 2, None],
                                   ltrb.new_zeros(()))
        return labels, bbox_targets, care, obj_inds

    def _separable_tests(self, priors, featmap_sizes, boxes):
        """Per level ``(start, h, w, xs, ys, cols, rows)``: the index of its
        first location, its size, its column and row coordinates (pixels)
        and :meth:`_inside_1d` of ``boxes (N, 4)`` on them, ``(N, w)`` and
        ``(N, h)`` bool."""
        start = 0
        for h, w in featmap_sizes:
            h, w = int(h), int(w)
            xs = priors[start:start + w, 0]
            ys = priors[start:start + h * w:w, 1]
            radius = priors[start, 2] * self.center_sample_radius
            yield (start, h, w, xs, ys,
                   self._inside_1d(xs, boxes[:, 0], boxes[:, 2], radius),
                   self._inside_1d(ys, boxes[:, 1], boxes[:, 3], radius))
            start += h * w

    def _inside_1d(self, coords, lo, hi, radius):
        """``(N, L)`` bool: coordinate ``coords[l]`` (pixels, increasing)
        lies strictly inside ``(lo[n], hi[n])`` and, with centre sampling,
        within ``radius`` pixels of the centre: one axis of the predicate
        of :meth:`assign` and :meth:`_in_center`."""
        c = coords[None]
        inside = (c - lo[:, None] > 0) & (hi[:, None] - c > 0)
        if self.center_sampling:
            mid = (lo + hi) / 2
            inside &= (c > torch.maximum(mid - radius, lo)[:, None]) & (
                c < torch.minimum(mid + radius, hi)[:, None])
        return inside

    @staticmethod
    def _ltrb_pairs(priors, point, boxes, box):
        """``(K, 4)`` side distances in pixels of location ``point[k]`` to
        box ``box[k]``, as in :meth:`assign`."""
        # index_select: much faster than advanced indexing on the CPU
        return side_distances(priors.index_select(0, point)[:, :2],
                              boxes.index_select(0, box))

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
