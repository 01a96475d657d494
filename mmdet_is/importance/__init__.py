from .heuristics import HEURISTICS, get_heuristic, register_heuristic
from .hook import (ImportanceSamplingHook, find_importance_sampler,
                   update_from_all_ranks)
from .image_scores import image_importance, pop_importance, publish_importance
from .loops import ImportanceIterBasedTrainLoop
from .reductions import (REDUCTIONS, check_reduction, masked_mean, object_wise,
                         reduce_terms)
from .rho import (irreducible_loss_path, load_irreducible_losses,
                  rho_scores, save_irreducible_losses)
from .sampler import ImportanceSampler, rejection_rule
from .score_table import ScoreTable

__all__ = [
    'HEURISTICS', 'get_heuristic', 'register_heuristic',
    'ImportanceSamplingHook', 'find_importance_sampler', 'image_importance',
    'ImportanceIterBasedTrainLoop',
    'pop_importance', 'publish_importance', 'REDUCTIONS', 'check_reduction', 'masked_mean',
    'object_wise', 'reduce_terms', 'ImportanceSampler', 'ScoreTable',
    'rejection_rule', 'update_from_all_ranks', 'rho_scores',
    'irreducible_loss_path', 'load_irreducible_losses',
    'save_irreducible_losses'
]
