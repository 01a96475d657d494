from .checkpoint import register_checkpoint_safe_globals
from .dist import join_cpu_process_group

__all__ = ['register_checkpoint_safe_globals', 'join_cpu_process_group']
