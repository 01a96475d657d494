from .importance_sampler import ImportanceSampler, rejection_rule
from .score_table import ScoreTable
from .unbiased import anneal_lambda, importance_weights

__all__ = ['ImportanceSampler', 'rejection_rule', 'ScoreTable',
           'anneal_lambda', 'importance_weights']
