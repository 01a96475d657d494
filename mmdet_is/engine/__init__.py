from .hooks import (ImagesProcessedHook, ImportanceSamplingHook,
                    find_importance_sampler, update_from_all_ranks)
from .runner import ImportanceIterBasedTrainLoop

__all__ = ['ImagesProcessedHook', 'ImportanceSamplingHook',
           'find_importance_sampler', 'update_from_all_ranks',
           'ImportanceIterBasedTrainLoop']
