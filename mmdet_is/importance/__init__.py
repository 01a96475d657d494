from .heuristics import HEURISTICS, get_heuristic, register_heuristic
from .hook import ImportanceSamplingHook, find_importance_sampler
from .image_scores import image_importance, pop_importance, publish_importance
from .reductions import REDUCTIONS, masked_mean, object_wise, reduce_terms
from .sampler import ImportanceSampler
from .score_table import ScoreTable

__all__ = [
    'HEURISTICS', 'get_heuristic', 'register_heuristic',
    'ImportanceSamplingHook', 'find_importance_sampler', 'image_importance',
    'pop_importance', 'publish_importance', 'REDUCTIONS', 'masked_mean',
    'object_wise', 'reduce_terms', 'ImportanceSampler', 'ScoreTable'
]
