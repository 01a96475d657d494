from ..datasets.samplers import find_importance_sampler
from .hooks import (ImagesProcessedHook, ImportanceSamplingHook,
                    NonFiniteWatchdog, SamplingDiagnostics, apply_scores,
                    gather_scores, update_from_all_ranks)
from .runner import ImportanceIterBasedTrainLoop

__all__ = ['find_importance_sampler', 'ImagesProcessedHook',
           'ImportanceSamplingHook', 'NonFiniteWatchdog',
           'SamplingDiagnostics', 'apply_scores', 'gather_scores',
           'update_from_all_ranks', 'ImportanceIterBasedTrainLoop']
