"""From one step's per-location ingredients to one importance score per image.

Thesis (Huang & Kvernes 2023) 4.2: an image's importance is a classification
part plus a regression part, each a heuristic of the per-location terms
(:mod:`.heuristics`) reduced over the image (:mod:`.reductions`). Image-level
heuristics (:data:`IMAGE_HEURISTICS`: ``min_pr``, the detection-quality
score of :mod:`.detection_quality`) score the image as a whole and take no
reduction.
"""
from typing import Dict, Optional

import torch
from torch import Tensor

from .detection_quality import detection_quality_scores
from .heuristics import HEURISTICS, get_heuristic
from .reductions import check_reduction, reduce_terms

#: heuristic name -> fn(ingredients, num_objects) -> dict of (B,) parts and
#: ``score``
IMAGE_HEURISTICS = dict(min_pr=detection_quality_scores)


def check_score_cfg(heuristic: str, reduction: str) -> None:
    """Raises KeyError for an unknown heuristic or reduction (listing the
    valid ones)."""
    if heuristic not in IMAGE_HEURISTICS and heuristic not in HEURISTICS:
        raise KeyError(f'unknown importance heuristic {heuristic!r}; '
                       f'registered: {sorted(HEURISTICS)} and image-level '
                       f'{sorted(IMAGE_HEURISTICS)}')
    check_reduction(reduction)


@torch.no_grad()
def image_scores(ingredients: Dict[str, Tensor],
                 heuristic: str = 'closeness',
                 reduction: str = 'mean',
                 ignore_regression: bool = False,
                 num_objects: Optional[int] = None) -> Dict[str, Tensor]:
    """Per-image importance: classification part + regression part.

    Args:
        ingredients: ``a``, ``iou``, ``giou``, ``care``, ``obj_inds``, each
            ``(B, P)`` (:mod:`.ingredients`), and optionally
            ``num_objects``.
        heuristic: a name in :data:`~.heuristics.HEURISTICS` (``lis``,
            ``error``, ``uis``, ``closeness``) or in
            :data:`IMAGE_HEURISTICS` (``min_pr``).
        reduction: ``masked_mean`` or an object-wise reduction (``mean``,
            ``sum``, ``max``, ``area_weighted_mean``, ``rms``); not used by
            image-level heuristics.
        ignore_regression: the -IR variants (thesis 4.3): regression part 0.
        num_objects: overrides ``ingredients['num_objects']``.

    Returns:
        dict of ``(B,)`` float tensors: ``cls``, ``reg`` and
        ``score = cls + reg``; for ``min_pr`` ``precision``, ``recall`` and
        ``score = 1 - min(precision, recall)``.

    Raises:
        KeyError: unknown heuristic or reduction.
    """
    check_score_cfg(heuristic, reduction)
    if num_objects is None:
        num_objects = ingredients.get('num_objects')
    if heuristic in IMAGE_HEURISTICS:
        return IMAGE_HEURISTICS[heuristic](ingredients, num_objects)
    cls_term, reg_term = get_heuristic(heuristic)(
        ingredients['a'], ingredients['iou'], ingredients['giou'])
    cls_part, reg_part = reduce_terms(cls_term, reg_term, ingredients['care'],
                                      ingredients['obj_inds'], reduction,
                                      num_objects)
    if ignore_regression:
        reg_part = torch.zeros_like(reg_part)
    return dict(cls=cls_part, reg=reg_part, score=cls_part + reg_part)
