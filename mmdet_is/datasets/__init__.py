from .coco import CheckedCocoDataset
from .image_check import CheckedLoadImageFromFile, decode_messages
from .kitti import KittiDataset
from .samplers import *  # noqa: F401,F403
from .seed_augmentation import SeedAugmentation
from .transforms import FarRoICrop
from .zod import ZODDataset

__all__ = ['CheckedCocoDataset', 'CheckedLoadImageFromFile',
           'decode_messages', 'KittiDataset', 'FarRoICrop', 'SeedAugmentation',
           'ZODDataset']
