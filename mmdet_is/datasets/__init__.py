from .coco import CheckedCocoDataset
from .kitti import KittiDataset
from .samplers import *  # noqa: F401,F403
from .seed_augmentation import SeedAugmentation
from .transforms import FarRoICrop
from .zod import ZODDataset

__all__ = ['CheckedCocoDataset', 'KittiDataset', 'FarRoICrop',
           'SeedAugmentation', 'ZODDataset']
