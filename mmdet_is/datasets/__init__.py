from .kitti import KittiDataset
from .transforms import FarRoICrop
from .zod import ZODDataset

__all__ = ['KittiDataset', 'FarRoICrop', 'ZODDataset']
