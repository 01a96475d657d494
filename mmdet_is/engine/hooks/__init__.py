from .data_root_check_hook import DataRootCheckHook, data_root_mismatch
from .divergence_watch import DivergenceWatch
from .images_processed_hook import ImagesProcessedHook
from .importance_sampling_hook import ImportanceSamplingHook
from .nonfinite_watchdog import NonFiniteWatchdog
from .sampling_diagnostics import SamplingDiagnostics
from .score_transport import (apply_scores, gather_scores,
                              update_from_all_ranks)

__all__ = ['DataRootCheckHook', 'data_root_mismatch', 'DivergenceWatch',
           'ImagesProcessedHook', 'ImportanceSamplingHook',
           'NonFiniteWatchdog', 'SamplingDiagnostics', 'apply_scores',
           'gather_scores', 'update_from_all_ranks']
