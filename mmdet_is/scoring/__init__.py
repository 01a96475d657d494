"""Importance scores: adapters that make stock mmdet heads publish the
ingredients (:mod:`mmdet_is.models.utils.importance_ingredients`, the
contract), heuristics and reductions to one score per image, and RHO's
irreducible losses. Heuristics, reductions, adapters and the score itself
are registered in :mod:`mmdet_is.registry`."""
from ..models.utils.importance_ingredients import (
    INGREDIENT_KEYS, aligned_overlaps, pop_ingredients, publish_ingredients,
    sigmoid_foreground_prob, sigmoid_target_prob, softmax_foreground_prob,
    softmax_target_prob)
from .adapters import (HeadAdapter, attach_ingredients, find_adapter,
                       head_of)
from .detection_quality import (detection_quality_scores,
                                precision_recall_proxies)
from .heuristics import get_heuristic, image_level
from .image_scores import ImageScore, check_score_cfg, image_scores
from .reductions import (get_reduction, masked_mean, object_means,
                         reduce_terms)
from .rho import (irreducible_loss_path, load_irreducible_losses,
                  rho_scores, sampler_score_cfg, save_irreducible_losses)

__all__ = [
    'INGREDIENT_KEYS', 'aligned_overlaps', 'pop_ingredients',
    'publish_ingredients', 'sigmoid_foreground_prob', 'sigmoid_target_prob',
    'softmax_foreground_prob', 'softmax_target_prob', 'HeadAdapter',
    'attach_ingredients', 'find_adapter', 'head_of',
    'detection_quality_scores', 'precision_recall_proxies', 'get_heuristic',
    'image_level', 'ImageScore', 'check_score_cfg', 'image_scores',
    'get_reduction', 'masked_mean', 'object_means', 'reduce_terms',
    'irreducible_loss_path', 'load_irreducible_losses', 'rho_scores',
    'sampler_score_cfg', 'save_irreducible_losses'
]
