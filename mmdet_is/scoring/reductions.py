"""Reduce per-location importance terms to one score per image.

Source: thesis section 4.2.4 (object-wise reduction, background as one more
object) and docs/guide/09_decisions.md ("Reductions").

Inputs, for a batch of ``B`` images with ``P`` locations each:

* ``term`` ``(B, P)``: per-location terms of a heuristic;
* ``mask`` ``(B, P)`` bool: where the term counts (``care`` for the
  classification part, ``obj_inds >= 0`` for the regression part);
* ``obj_inds`` ``(B, P)`` long: object of the location, -1 for background
  (objects include don't-care boxes, which have box targets).

Every reduction is registered in :data:`mmdet_is.registry.REDUCTIONS` as
``fn(term, mask, obj_inds, num_objects=None) -> (B,)`` (a user's module
adds one the same way). An image with no positive location has regression
part 0; groups without locations are left out.
"""
from typing import Callable, Optional

import torch
from torch import Tensor

from ..registry import REDUCTIONS, lookup


def get_reduction(name: str) -> Callable:
    """Look up a reduction by name.

    Raises:
        KeyError: unknown name; the message lists the registered ones.
    """
    return lookup(REDUCTIONS, name, 'the sampler score')


def masked_mean(term: Tensor, mask: Tensor) -> Tensor:
    """Mean of ``term`` over ``mask`` per image, ``(B, P) -> (B,)``; 0 if
    empty."""
    mask = mask.to(term.dtype)
    return (term * mask).sum(1) / mask.sum(1).clamp(min=1)


def object_means(term: Tensor, mask: Tensor, obj_inds: Tensor,
                 num_objects: Optional[int] = None):
    """Per-image, per-object mean of ``term`` over ``mask``, with all
    background locations as ONE more object (group 0).

    Args:
        num_objects: an upper bound of ``obj_inds`` + 1 known on the host
            (objects per image); without it the maximum is read from the
            tensor, which waits for the GPU.

    Returns:
        (means, counts): both ``(B, G)``; ``counts`` is the number of masked
        locations per group, and ``means`` is 0 where it is 0.
    """
    groups = obj_inds + 1  # 0 = background
    if num_objects is not None:
        num_groups = num_objects + 1
    else:
        num_groups = int(groups.max().item()) + 1 if groups.numel() else 1
    m = mask.to(term.dtype)
    sums = term.new_zeros(term.size(0), num_groups).scatter_add_(
        1, groups, term * m)
    counts = term.new_zeros(term.size(0), num_groups).scatter_add_(
        1, groups, m)
    return sums / counts.clamp(min=1), counts


@REDUCTIONS.register_module(name='masked_mean')
def masked_mean_reduction(term, mask, obj_inds, num_objects=None) -> Tensor:
    """Mean over the masked locations, objects ignored."""
    return masked_mean(term, mask)


@REDUCTIONS.register_module(name='mean')
def object_mean(term, mask, obj_inds, num_objects=None) -> Tensor:
    """``(1 / |O|) sum_o v_o``, ``v_o`` the mean of object ``o``'s
    locations, ``O`` the objects present (thesis 4.2.4)."""
    v, counts = object_means(term, mask, obj_inds, num_objects)
    present = counts > 0
    return (v * present).sum(1) / present.sum(1).clamp(min=1).to(v.dtype)


@REDUCTIONS.register_module(name='sum')
def object_sum(term, mask, obj_inds, num_objects=None) -> Tensor:
    """``sum_o v_o``."""
    v, counts = object_means(term, mask, obj_inds, num_objects)
    return (v * (counts > 0)).sum(1)


@REDUCTIONS.register_module(name='max')
def object_max(term, mask, obj_inds, num_objects=None) -> Tensor:
    """``max_o v_o`` (0 for an image with no location in the mask)."""
    v, counts = object_means(term, mask, obj_inds, num_objects)
    present = counts > 0
    top = v.masked_fill(~present, float('-inf')).amax(1)
    return torch.where(present.any(1), top, torch.zeros_like(top))


@REDUCTIONS.register_module(name='rms')
def object_rms(term, mask, obj_inds, num_objects=None) -> Tensor:
    """``sqrt((1 / |O|) sum_o v_o^2)``."""
    v, counts = object_means(term, mask, obj_inds, num_objects)
    present = counts > 0
    v = v * present
    n = present.sum(1).clamp(min=1).to(v.dtype)
    return torch.sqrt((v * v).sum(1) / n)


@REDUCTIONS.register_module(name='area_weighted_mean')
def object_area_weighted_mean(term, mask, obj_inds,
                              num_objects=None) -> Tensor:
    """``sum_o sqrt(A_o) v_o / sum_o sqrt(A_o)``, the area ``A_o`` measured
    in locations, so background and objects are on one scale."""
    v, counts = object_means(term, mask, obj_inds, num_objects)
    w = counts.sqrt()
    return (v * (counts > 0) * w).sum(1) / w.sum(1).clamp(min=1e-12)


def reduce_terms(cls_term: Tensor, reg_term: Tensor, care: Tensor,
                 obj_inds: Tensor, reduction: str = 'mean',
                 num_objects: Optional[int] = None):
    """Image-wise classification and regression parts, each ``(B,)``: the
    classification part over the cared locations, the regression part over
    the positive ones (``obj_inds >= 0``).

    Args:
        reduction: a name in :data:`~mmdet_is.registry.REDUCTIONS`
            (``masked_mean``, ``mean``, ``sum``, ``max``,
            ``area_weighted_mean``, ``rms``).
        num_objects: see :func:`object_means`.

    Raises:
        KeyError: unknown reduction (the message lists the registered
            ones).
    """
    fn = get_reduction(reduction)
    return (fn(cls_term, care, obj_inds, num_objects),
            fn(reg_term, obj_inds >= 0, obj_inds, num_objects))
