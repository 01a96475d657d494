"""From one step's per-location ingredients to one importance score per image.

Thesis (Huang & Kvernes 2023) 4.2: an image's importance is a classification
part plus a regression part, each a heuristic of the per-location terms
(:mod:`.heuristics`) reduced over the image (:mod:`.reductions`). Image-level
heuristics (``min_pr``, the detection-quality score of
:mod:`.detection_quality`) score the image as a whole and take no
reduction. With an irreducible-loss file the score is RHO's ``L_train -
L_ho`` (thesis 4.2.6, :mod:`.rho`).
"""
from typing import Dict, Optional

import numpy as np
import torch
from mmengine.logging import print_log
from torch import Tensor

from ..datasets.samplers.sampler_config import resolve_score_cfg
from ..registry import IMAGE_SCORES, POLICIES, lookup
from .heuristics import get_heuristic
from .reductions import get_reduction, reduce_terms
from .rho import load_irreducible_losses, rho_scores


def check_score_cfg(heuristic: str, reduction: str) -> None:
    """Raises KeyError for an unknown heuristic or reduction (listing the
    registered ones)."""
    get_heuristic(heuristic)
    get_reduction(reduction)


@torch.no_grad()
def image_scores(ingredients: Dict[str, Tensor],
                 heuristic: str = 'closeness',
                 reduction: str = 'mean',
                 ignore_regression: bool = False,
                 num_objects: Optional[int] = None) -> Dict[str, Tensor]:
    """Per-image importance: classification part + regression part.

    Args:
        ingredients: ``a``, ``iou``, ``giou``, ``care``, ``obj_inds``, each
            ``(B, P)`` (:mod:`mmdet_is.models.utils.importance_ingredients`),
            and optionally ``num_objects``.
        heuristic: a name in :data:`~mmdet_is.registry.HEURISTICS`
            (``lis``, ``error``, ``uis``, ``closeness``, or image-level
            ``min_pr``).
        reduction: a name in :data:`~mmdet_is.registry.REDUCTIONS`; not
            used by image-level heuristics.
        ignore_regression: the -IR variants (thesis 4.3): regression part 0.
        num_objects: overrides ``ingredients['num_objects']``.

    Returns:
        dict of ``(B,)`` float tensors: ``cls``, ``reg`` and
        ``score = cls + reg``; for ``min_pr`` ``precision``, ``recall`` and
        ``score = 1 - min(precision, recall)``.

    Raises:
        KeyError: unknown heuristic or reduction.
    """
    fn = get_heuristic(heuristic)
    get_reduction(reduction)
    if num_objects is None:
        num_objects = ingredients.get('num_objects')
    if getattr(fn, 'image_level', False):
        return fn(ingredients, num_objects)
    cls_term, reg_term = fn(ingredients['a'], ingredients['iou'],
                            ingredients['giou'])
    cls_part, reg_part = reduce_terms(cls_term, reg_term, ingredients['care'],
                                      ingredients['obj_inds'], reduction,
                                      num_objects)
    if ignore_regression:
        reg_part = torch.zeros_like(reg_part)
    return dict(cls=cls_part, reg=reg_part, score=cls_part + reg_part)


@IMAGE_SCORES.register_module()
class ImageScore:
    """The score a sampler's policy reads: :func:`image_scores` of a
    heuristic and a reduction, or RHO's ``L_train - L_ho``.

    Configured in the sampler, beside its policy:
    ``sampler=dict(type='ImportanceSampler', policy=...,
    score=dict(heuristic='closeness', reduction='mean'))``.

    Args:
        heuristic (str): :data:`~mmdet_is.registry.HEURISTICS` name.
        reduction (str): :data:`~mmdet_is.registry.REDUCTIONS` name.
        ignore_regression (bool): the -IR variants (thesis 4.3).
        irreducible_loss (str | None): RHO (thesis 4.2.6): the file of
            ``tools/rho/irreducible_loss.py``; each image's score becomes
            ``L_train - L_ho`` and can be negative (``signed``), so the
            policy needs ``rescale='minmax'`` (eq. 4.6).

    Raises:
        KeyError: unknown heuristic or reduction (at build).
    """

    def __init__(self, heuristic: str = 'closeness', reduction: str = 'mean',
                 ignore_regression: bool = False,
                 irreducible_loss: Optional[str] = None) -> None:
        check_score_cfg(heuristic, reduction)
        self.cfg = dict(heuristic=heuristic, reduction=reduction,
                        ignore_regression=ignore_regression)
        self.irreducible_loss = irreducible_loss
        self.signed = irreducible_loss is not None
        self._irreducible: Optional[Tensor] = None

    def bind(self, dataset) -> None:
        """Read RHO's irreducible losses of every training image, by the
        ``img_id`` of ``get_data_info`` (nothing without RHO).

        Raises:
            FileNotFoundError, ValueError: as
                :func:`~.rho.load_irreducible_losses` (a missing file,
                another heuristic, images without a loss).
        """
        if self.irreducible_loss is None:
            return
        img_ids = [dataset.get_data_info(i)['img_id']
                   for i in range(len(dataset))]
        self._irreducible = torch.from_numpy(load_irreducible_losses(
            self.irreducible_loss, img_ids, self.cfg))
        print_log(f'RHO: irreducible losses of {len(img_ids)} images from '
                  f'{self.irreducible_loss}', logger='current')

    def __call__(self, ingredients: Dict[str, Tensor],
                 indices: np.ndarray) -> Dict[str, Tensor]:
        """``(B,)`` terms of :func:`image_scores` of the images ``indices``
        (``(B,)`` dataset indices); ``score`` minus their irreducible loss
        with RHO."""
        terms = image_scores(ingredients, **self.cfg)
        if self._irreducible is not None:
            terms['score'] = rho_scores(terms['score'],
                                        self._irreducible[indices])
        return terms


def sampler_score_cfg(cfg) -> dict:
    """The score config of a training config's ImportanceSampler
    (``train_dataloader.sampler.score``, or its policy's
    ``default_score``), with the type and defaults filled in
    (:func:`~mmdet_is.datasets.samplers.resolve_score_cfg`).

    Raises:
        KeyError: an unknown policy or score type.
    """
    sampler = cfg.get('train_dataloader', {}).get('sampler') or {}
    score = sampler.get('score')
    if score is None:
        policy = (sampler.get('policy') or {}).get('type', 'importance')
        score = lookup(POLICIES, policy,
                       'train_dataloader.sampler.policy').default_score
    return resolve_score_cfg(score)


def irreducible_loss_path(cfg) -> Optional[str]:
    """The ``irreducible_loss`` file of a config's sampler score, or None
    when the config does not use RHO."""
    return sampler_score_cfg(cfg).get('irreducible_loss')
