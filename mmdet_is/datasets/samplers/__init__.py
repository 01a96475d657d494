from .drawn_index import DrawnIndex
from .fingerprint import check_same_dataset, dataset_identities, fingerprint
from .importance_sampler import ImportanceSampler, find_importance_sampler
from .policies import (BasePolicy, ImportanceDraw, InfoBatchPolicy,
                       RandomPolicy, Selection, SelectionPolicy,
                       SubsetImportancePolicy, TierPolicy, check_budget,
                       rejection_rule)
from .score_table import ScoreTable
from .selection_sampler import SelectionSampler
from .unbiased import anneal_lambda, importance_weights

__all__ = ['DrawnIndex', 'check_same_dataset', 'dataset_identities',
           'fingerprint', 'ImportanceSampler', 'find_importance_sampler',
           'BasePolicy', 'ImportanceDraw', 'InfoBatchPolicy', 'RandomPolicy',
           'Selection', 'SelectionPolicy', 'SubsetImportancePolicy',
           'TierPolicy', 'check_budget', 'rejection_rule', 'ScoreTable',
           'SelectionSampler', 'anneal_lambda', 'importance_weights']
