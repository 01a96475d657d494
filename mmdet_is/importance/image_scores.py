"""From one training step's dense predictions to one importance score per image.

The detection head calls :func:`image_importance` on the tensors it already
has for the loss (no extra forward or backward pass) and hands the result to
the hook through mmengine's MessageHub (:func:`publish_importance`).
"""
import time
from typing import Dict, Optional

import torch
from mmengine.logging import MessageHub
from torch import Tensor

from mmdet.structures.bbox import bbox_overlaps
from .heuristics import get_heuristic
from .reductions import reduce_terms

MESSAGE_KEY = 'importance_terms'


@torch.no_grad()
def image_importance(cls_logits: Tensor,
                     labels: Tensor,
                     care: Tensor,
                     obj_inds: Tensor,
                     pred_boxes: Tensor,
                     target_boxes: Tensor,
                     heuristic: str = 'uis',
                     reduction: str = 'mean',
                     ignore_regression: bool = False,
                     num_objects: Optional[int] = None) -> Dict[str, Tensor]:
    """Per-image importance: classification part + regression part.

    Args:
        cls_logits: ``(B, P, C + 1)`` logits (softmax over the last axis).
        labels: ``(B, P)`` target class in ``[0, C]`` (``C`` = background).
        care: ``(B, P)`` bool, False on don't-care locations.
        obj_inds: ``(B, P)`` long, object per location, -1 for background.
        pred_boxes, target_boxes: ``(B, P, 4)`` boxes ``(x1, y1, x2, y2)`` in
            any one unit (IoU is scale invariant); used where
            ``obj_inds >= 0``.
        heuristic: a name in :data:`~.heuristics.HEURISTICS` (``lis``,
            ``error``, ``uis``, ``closeness``).
        reduction: ``masked_mean`` or an object-wise reduction (``mean``,
            ``sum``, ``max``, ``area_weighted_mean``, ``rms``).
        ignore_regression: the -IR variants (thesis 4.3): regression part 0.
        num_objects: most objects (boxes incl. don't-care) of an image,
            known on the host; lets the object-wise reduction size its
            groups without reading the GPU.

    Returns:
        dict of detached ``(B,)`` float tensors: ``cls``, ``reg`` and
        ``score = cls + reg`` (``reg`` is 0 with ``ignore_regression``);
        ``seconds``, the host wall time this function took (float), and on
        a GPU ``events``, CUDA start and end events around its kernels
        (None on the CPU). Nothing here waits for the GPU.
    """
    t0 = time.perf_counter()
    events = None
    if cls_logits.is_cuda:  # kernels run asynchronously: time them on the GPU
        events = (torch.cuda.Event(enable_timing=True),
                  torch.cuda.Event(enable_timing=True))
        events[0].record()
    probs = cls_logits.float().softmax(-1)
    a = probs.gather(-1, labels.unsqueeze(-1)).squeeze(-1)  # (B, P)
    pos = obj_inds >= 0
    # every location, then masked: no data-dependent shapes, no host sync
    flat_pred = pred_boxes.reshape(-1, 4).float()
    flat_target = target_boxes.reshape(-1, 4).float()
    iou, giou = (torch.where(
        pos, bbox_overlaps(flat_pred, flat_target, mode=mode,
                           is_aligned=True).view(a.shape), 0.0)
                 for mode in ('iou', 'giou'))
    cls_term, reg_term = get_heuristic(heuristic)(a, iou, giou)
    cls_part, reg_part = reduce_terms(cls_term, reg_term, care, obj_inds,
                                      reduction, num_objects)
    if ignore_regression:
        reg_part = torch.zeros_like(reg_part)
    if events is not None:
        events[1].record()
    return dict(cls=cls_part, reg=reg_part, score=cls_part + reg_part,
                seconds=time.perf_counter() - t0, events=events)


def publish_importance(terms: Dict[str, Tensor]) -> None:
    """Hand per-image terms to the hook (MessageHub, not saved in checkpoints)."""
    MessageHub.get_current_instance().update_info(
        MESSAGE_KEY, terms, resumed=False)


def pop_importance() -> Optional[Dict[str, Tensor]]:
    """Take the terms of the last step out of the MessageHub (None if absent)."""
    hub = MessageHub.get_current_instance()
    return hub.runtime_info.pop(MESSAGE_KEY, None)
