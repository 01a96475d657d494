"""Importance scores: adapters that make stock mmdet heads publish the
ingredients into an :class:`~mmdet_is.models.utils.IngredientsTap`
(:mod:`mmdet_is.models.utils.importance_ingredients`, the contract),
heuristics and reductions to one score per image, and RHO's
irreducible losses. Heuristics, reductions, adapters and the score itself
are registered in :mod:`mmdet_is.registry`."""
from .adapters import (HeadAdapter, attach_ingredients, find_adapter,
                       head_of)
from .detection_quality import (detection_quality_scores,
                                precision_recall_proxies)
from .heuristics import get_heuristic, image_level
from .image_scores import (ImageScore, check_score_cfg, image_scores,
                           irreducible_loss_path, sampler_score_cfg)
from .reductions import (get_reduction, masked_mean, object_means,
                         reduce_terms)
from .rho import load_irreducible_losses, rho_scores, save_irreducible_losses

__all__ = [
    'HeadAdapter',
    'attach_ingredients', 'find_adapter', 'head_of',
    'detection_quality_scores', 'precision_recall_proxies', 'get_heuristic',
    'image_level', 'ImageScore', 'check_score_cfg', 'image_scores',
    'get_reduction', 'masked_mean', 'object_means', 'reduce_terms',
    'irreducible_loss_path', 'load_irreducible_losses', 'rho_scores',
    'sampler_score_cfg', 'save_irreducible_losses'
]
