"""Importance scores: per-location ingredients published by a detection head
(natively or through an adapter around a stock mmdet head), heuristics and
reductions to one score per image, and RHO's irreducible losses."""
from .adapters import ADAPTERS, attach_ingredients, find_adapter, head_of
from .heuristics import HEURISTICS, get_heuristic, register_heuristic
from .detection_quality import (detection_quality_scores,
                                precision_recall_proxies)
from .image_scores import IMAGE_HEURISTICS, check_score_cfg, image_scores
from .ingredients import (INGREDIENT_KEYS, aligned_overlaps, pop_ingredients,
                          publish_ingredients, sigmoid_foreground_prob,
                          sigmoid_target_prob, softmax_foreground_prob,
                          softmax_target_prob)
from .reductions import (REDUCTIONS, check_reduction, masked_mean, object_wise,
                         reduce_terms)
from .rho import (importance_hook_cfg, irreducible_loss_path,
                  load_irreducible_losses, rho_scores,
                  save_irreducible_losses)

__all__ = [
    'ADAPTERS', 'attach_ingredients', 'find_adapter', 'head_of',
    'HEURISTICS', 'get_heuristic', 'register_heuristic',
    'detection_quality_scores', 'precision_recall_proxies',
    'IMAGE_HEURISTICS', 'check_score_cfg', 'image_scores', 'INGREDIENT_KEYS',
    'aligned_overlaps', 'pop_ingredients', 'publish_ingredients',
    'sigmoid_foreground_prob', 'sigmoid_target_prob',
    'softmax_foreground_prob', 'softmax_target_prob',
    'REDUCTIONS', 'check_reduction', 'masked_mean', 'object_wise',
    'reduce_terms', 'importance_hook_cfg', 'irreducible_loss_path',
    'load_irreducible_losses', 'rho_scores', 'save_irreducible_losses'
]
