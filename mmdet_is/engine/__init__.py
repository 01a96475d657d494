from ..datasets.samplers import find_importance_sampler
from .hooks import (DataRootCheckHook, DivergenceWatch, ImagesProcessedHook,
                    ImportanceSamplingHook, NonFiniteWatchdog,
                    SamplingDiagnostics, apply_scores, data_root_mismatch,
                    gather_scores, update_from_all_ranks)
from .runner import ImportanceIterBasedTrainLoop

__all__ = ['find_importance_sampler', 'DataRootCheckHook', 'DivergenceWatch',
           'ImagesProcessedHook', 'ImportanceSamplingHook',
           'NonFiniteWatchdog', 'SamplingDiagnostics', 'apply_scores',
           'data_root_mismatch', 'gather_scores', 'update_from_all_ranks',
           'ImportanceIterBasedTrainLoop']
