from .images_processed_hook import ImagesProcessedHook
from .importance_sampling_hook import (ImportanceSamplingHook,
                                       find_importance_sampler,
                                       update_from_all_ranks)

__all__ = ['ImagesProcessedHook', 'ImportanceSamplingHook',
           'find_importance_sampler', 'update_from_all_ranks']
