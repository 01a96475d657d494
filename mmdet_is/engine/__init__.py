from .hooks import (ImportanceSamplingHook, find_importance_sampler,
                    update_from_all_ranks)
from .runner import ImportanceIterBasedTrainLoop

__all__ = ['ImportanceSamplingHook', 'find_importance_sampler',
           'update_from_all_ranks', 'ImportanceIterBasedTrainLoop']
