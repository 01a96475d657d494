"""Lets mmengine 0.10.7 resume its own checkpoints under torch >= 2.6.

torch 2.6 made ``torch.load(weights_only=True)`` the default; mmengine 0.10.7
calls ``torch.load`` without the argument, and its checkpoints hold a
``HistoryBuffer`` (message hub) and numpy arrays, so ``--resume`` fails with
"Unsupported global ... HistoryBuffer" (mmengine issue #1655). Instead of
turning the safety check off for every load, this allow-lists exactly the
types an mmengine training checkpoint contains. One of them is the builtin
``getattr``: a HistoryBuffer pickles its statistics methods as
``getattr(buffer, 'mean')``; the unpickler still builds nothing but
allow-listed types, so ``getattr`` only reaches attributes of those.
"""
import numpy as np
import torch
from mmengine.logging import HistoryBuffer


def _numpy_globals() -> list:
    # numpy >= 2 moved the pickling helpers to numpy._core; pickles name
    # whichever module wrote them, so allow-list both spellings present.
    found = [np.ndarray, np.dtype]
    for module_name in ('numpy._core.multiarray', 'numpy.core.multiarray'):
        try:
            module = __import__(module_name, fromlist=['_reconstruct'])
        except ImportError:
            continue
        for name in ('_reconstruct', 'scalar'):
            if hasattr(module, name):
                found.append((getattr(module, name),
                              f'{module_name}.{name}'))
    found += [type(np.dtype(t)) for t in
              ('float64', 'float32', 'int64', 'int32', 'bool', 'uint8')]
    return found


def register_checkpoint_safe_globals() -> None:
    """Allow-list the non-tensor types of mmengine training checkpoints.

    Adds :class:`mmengine.logging.HistoryBuffer` (and ``getattr``, with which
    it pickles its bound statistics methods), numpy arrays, dtypes and
    scalars to ``torch.serialization``'s safe globals. A no-op on torch < 2.4,
    which has no allow-list (and loads with ``weights_only=False``).
    """
    add = getattr(torch.serialization, 'add_safe_globals', None)
    if add is not None:
        add([HistoryBuffer, getattr] + _numpy_globals())
