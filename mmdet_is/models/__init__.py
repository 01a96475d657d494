from .dense_heads import FCOSSoftmaxHead
from .necks import DLANeck
from .task_modules import DontCarePointAssigner
from .utils import *  # noqa: F401,F403

__all__ = ['DLANeck', 'FCOSSoftmaxHead', 'DontCarePointAssigner']
