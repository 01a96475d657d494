from .batches_in_flight import BatchesInFlight
from .drawn_index import DrawnIndex, draw_seeds
from .fingerprint import check_same_dataset, dataset_identities, fingerprint
from .importance_sampler import ImportanceSampler, find_importance_sampler
from .policies import (BasePolicy, ImportanceDraw, InfoBatchPolicy,
                       RandomPolicy, Selection, SelectionPolicy,
                       SubsetImportancePolicy, TierPolicy, check_budget,
                       rejection_rule)
from .sampler_diagnostics import ScoreAges, sampler_diagnostics
from .sampler_state import (STATE_FORMAT, check_resumable, load_sampler_state,
                            sampler_state_dict)
from .score_table import ScoreTable
from .sampler_config import (accepted_updates, build_policy_and_score,
                             check_score_sign, resolve_score_cfg)
from .unbiased import anneal_lambda, importance_weights

__all__ = ['BatchesInFlight', 'DrawnIndex', 'draw_seeds', 'check_same_dataset',
           'dataset_identities', 'fingerprint', 'ImportanceSampler',
           'find_importance_sampler', 'BasePolicy', 'ImportanceDraw',
           'InfoBatchPolicy', 'RandomPolicy', 'Selection', 'SelectionPolicy',
           'SubsetImportancePolicy', 'TierPolicy', 'check_budget',
           'rejection_rule', 'ScoreAges', 'sampler_diagnostics',
           'STATE_FORMAT', 'check_resumable', 'load_sampler_state',
           'sampler_state_dict', 'ScoreTable', 'accepted_updates',
           'build_policy_and_score', 'check_score_sign', 'resolve_score_cfg',
           'anneal_lambda', 'importance_weights']
