from .dense_heads import FCOSSoftmaxHead
from .necks import DLANeck
from .task_modules import DontCarePointAssigner

__all__ = ['DLANeck', 'FCOSSoftmaxHead', 'DontCarePointAssigner']
