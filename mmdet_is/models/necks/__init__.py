from .dla_neck import DLANeck

__all__ = ['DLANeck']
