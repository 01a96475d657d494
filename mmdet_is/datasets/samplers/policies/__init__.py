from .base import BasePolicy
from .importance_draw import ImportanceDraw, rejection_rule
from .infobatch import InfoBatchPolicy
from .random_subset import RandomPolicy
from .selection import Selection, SelectionPolicy, check_budget
from .subset_importance import SubsetImportancePolicy
from .tiers import TierPolicy

__all__ = ['BasePolicy', 'ImportanceDraw', 'rejection_rule',
           'InfoBatchPolicy', 'RandomPolicy', 'Selection', 'SelectionPolicy',
           'check_budget', 'SubsetImportancePolicy', 'TierPolicy']
