from .drawn_index import DrawnIndex
from .importance_sampler import ImportanceSampler, rejection_rule
from .score_table import ScoreTable
from .selection_rules import (RULES, InfoBatchRule, RandomRule, Selection,
                              TierRule, build_rule)
from .selection_sampler import SelectionSampler
from .unbiased import anneal_lambda, importance_weights

__all__ = ['DrawnIndex', 'ImportanceSampler', 'rejection_rule', 'ScoreTable',
           'RULES', 'InfoBatchRule', 'RandomRule', 'Selection', 'TierRule',
           'build_rule', 'SelectionSampler', 'anneal_lambda',
           'importance_weights']
