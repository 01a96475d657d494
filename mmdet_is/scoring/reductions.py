"""Reduce per-location importance terms to one score per image.

Source: thesis section 4.2.4 (object-wise reduction, background as one more
object) and method.md section 2, "Reductions".

Inputs, for a batch of ``B`` images with ``P`` locations each:

* ``cls_term``, ``reg_term`` ``(B, P)``: per-location terms of a heuristic;
* ``care`` ``(B, P)`` bool: classification counts here (False on don't-care);
* ``obj_inds`` ``(B, P)`` long: object of the location, -1 for background
  (objects include don't-care boxes, which have box targets).

The classification part uses the cared locations, the regression part the
positive locations (``obj_inds >= 0``). An image with no positive location has
regression part 0; groups without locations are left out.
"""
from typing import Optional

import torch
from torch import Tensor

REDUCTIONS = ('masked_mean', 'mean', 'sum', 'max', 'area_weighted_mean',
              'rms')


def check_reduction(name: str) -> None:
    """Raises KeyError for a name not in :data:`REDUCTIONS` (listing them)."""
    if name not in REDUCTIONS:
        raise KeyError(f'unknown importance reduction {name!r}; valid: '
                       f'{REDUCTIONS}')


def masked_mean(term: Tensor, mask: Tensor) -> Tensor:
    """Mean of ``term`` over ``mask`` per image, ``(B, P) -> (B,)``; 0 if empty."""
    mask = mask.to(term.dtype)
    return (term * mask).sum(1) / mask.sum(1).clamp(min=1)


def group_means(term: Tensor, mask: Tensor, groups: Tensor,
                num_groups: int):
    """Per-image, per-group mean of ``term`` over ``mask``.

    Args:
        term: ``(B, P)``; mask: ``(B, P)`` bool; groups: ``(B, P)`` long in
            ``[0, num_groups)``.

    Returns:
        (means, counts): both ``(B, num_groups)``; ``counts`` is the number
        of masked locations per group, and ``means`` is 0 where it is 0.
    """
    m = mask.to(term.dtype)
    sums = term.new_zeros(term.size(0), num_groups).scatter_add_(
        1, groups, term * m)
    counts = term.new_zeros(term.size(0), num_groups).scatter_add_(
        1, groups, m)
    return sums / counts.clamp(min=1), counts


def _reduce_groups(values: Tensor, counts: Tensor, how: str) -> Tensor:
    present = counts > 0
    n = present.sum(1).clamp(min=1).to(values.dtype)
    v = values * present
    if how == 'mean':
        return v.sum(1) / n
    if how == 'sum':
        return v.sum(1)
    if how == 'max':
        top = values.masked_fill(~present, float('-inf')).amax(1)
        return torch.where(present.any(1), top, torch.zeros_like(top))
    if how == 'rms':
        return torch.sqrt((v * v).sum(1) / n)
    if how == 'area_weighted_mean':
        # weight sqrt(area); area of a group = its number of locations
        w = counts.sqrt()
        return (v * w).sum(1) / w.sum(1).clamp(min=1e-12)
    raise KeyError(how)


def object_wise(term: Tensor, mask: Tensor, obj_inds: Tensor,
                how: str = 'mean',
                num_objects: Optional[int] = None) -> Tensor:
    """Object-wise reduction (thesis 4.2.4), ``(B, P) -> (B,)``.

    Averages ``term`` over the masked locations of each object, with all
    background locations as ONE more object, then reduces the per-object
    values with ``how``: ``mean`` (default), ``sum``, ``max``, ``rms`` (root
    mean square) or ``area_weighted_mean`` (weights ``sqrt(area)``, the area
    measured in locations, so background and objects are on one scale).
    ``num_objects``: an upper bound of ``obj_inds`` + 1 known on the host
    (objects per image); without it the maximum is read from the tensor,
    which waits for the GPU.
    """
    groups = obj_inds + 1  # 0 = background
    if num_objects is not None:
        num_groups = num_objects + 1
    else:
        num_groups = int(groups.max().item()) + 1 if groups.numel() else 1
    values, counts = group_means(term, mask, groups, num_groups)
    return _reduce_groups(values, counts, how)


def reduce_terms(cls_term: Tensor, reg_term: Tensor, care: Tensor,
                 obj_inds: Tensor, reduction: str = 'mean',
                 num_objects: Optional[int] = None):
    """Image-wise classification and regression parts, each ``(B,)``.

    Args:
        reduction: ``'masked_mean'`` (mean over cared / positive locations)
            or an object-wise reduction: ``'mean'``, ``'sum'``, ``'max'``,
            ``'area_weighted_mean'``, ``'rms'``.
        num_objects: see :func:`object_wise`.

    Raises:
        KeyError: unknown reduction (the message lists the valid ones).
    """
    check_reduction(reduction)
    pos = obj_inds >= 0
    if reduction == 'masked_mean':
        return masked_mean(cls_term, care), masked_mean(reg_term, pos)
    return (object_wise(cls_term, care, obj_inds, reduction, num_objects),
            object_wise(reg_term, pos, obj_inds, reduction, num_objects))
