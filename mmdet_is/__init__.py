"""mmdet_is: importance-sampled training of single-stage detectors for MMDetection 3.x.

Importing this package registers every component into MMDetection's registries;
configs load it with ``custom_imports = dict(imports=['mmdet_is'])``.
"""
from .datasets import *  # noqa: F401,F403
from .evaluation import *  # noqa: F401,F403
from .engine import *  # noqa: F401,F403
from .models import *  # noqa: F401,F403
from .scoring import *  # noqa: F401,F403
from .utils import register_checkpoint_loader

register_checkpoint_loader()

__version__ = '0.2.0'
