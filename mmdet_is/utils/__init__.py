from .checkpoint import (allow_checkpoint_globals, checkpoint_safe_globals,
                         last_saved_checkpoint, load_from_local_allowlisted,
                         register_checkpoint_loader)
from .dist import join_cpu_process_group

__all__ = ['allow_checkpoint_globals', 'checkpoint_safe_globals',
           'last_saved_checkpoint', 'load_from_local_allowlisted', 'register_checkpoint_loader',
           'join_cpu_process_group']
