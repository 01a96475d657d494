from .kitti import KittiDataset

__all__ = ['KittiDataset']
