"""Lets mmengine 0.10.7 resume its own checkpoints under torch >= 2.6.

torch 2.6 made ``torch.load(weights_only=True)`` the default; mmengine 0.10.7
calls ``torch.load`` without the argument, and its checkpoints hold a
``HistoryBuffer`` (message hub) and numpy arrays, so ``--resume`` fails with
"Unsupported global ... HistoryBuffer" (mmengine issue #1655). Instead of
turning the safety check off, this allow-lists exactly the types an mmengine
training checkpoint contains, and only while mmengine loads a checkpoint:
:func:`register_checkpoint_loader` replaces mmengine's loader of local files
(its documented extension point, ``CheckpointLoader.register_scheme``) by
the same loader inside ``torch.serialization.safe_globals``; torch's own
allow-list, and every other ``torch.load`` of the process, stay as they
were. One of the types is the builtin ``getattr``: a HistoryBuffer pickles
its statistics methods as ``getattr(buffer, 'mean')``; the unpickler still
builds nothing but allow-listed types, so ``getattr`` only reaches
attributes of those.
"""
import contextlib
import os.path as osp
from typing import Optional

import numpy as np
import torch
from mmengine.logging import HistoryBuffer
from mmengine.runner.checkpoint import CheckpointLoader, load_from_local


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


def last_saved_checkpoint(work_dir: str) -> Optional[str]:
    """The checkpoint ``<work_dir>/last_checkpoint`` names, when that file
    exists and names a file (mmengine writes the name after the
    checkpoint, so a run interrupted while writing its first one has
    none): what ``--resume`` resumes from."""
    marker = osp.join(work_dir, 'last_checkpoint')
    if not osp.isfile(marker):
        return None
    with open(marker) as f:
        path = f.read().strip()
    return path if osp.isfile(path) else None


def checkpoint_safe_globals() -> list:
    """The non-tensor types of an mmengine training checkpoint:
    :class:`mmengine.logging.HistoryBuffer` (and ``getattr``, with which it
    pickles its bound statistics methods), numpy arrays, dtypes and
    scalars."""
    return [HistoryBuffer, getattr] + _numpy_globals()


@contextlib.contextmanager
def allow_checkpoint_globals():
    """A context in which ``torch.load`` also accepts
    :func:`checkpoint_safe_globals` (nothing to do on torch < 2.5, which
    loads with ``weights_only=False`` by default).

    Only the entries not yet allow-listed are added, and only those are
    removed on exit: a user's own ``torch.serialization.add_safe_globals``
    entries stay, also those that name the same types (torch's
    ``safe_globals`` context would remove them).
    """
    ser = torch.serialization
    if not hasattr(ser, 'add_safe_globals'):
        yield
        return
    before = ser.get_safe_globals()
    added = [g for g in checkpoint_safe_globals() if g not in before]
    ser.add_safe_globals(added)
    try:
        yield
    finally:
        keep = [g for g in ser.get_safe_globals() if g not in added]
        ser.clear_safe_globals()
        ser.add_safe_globals(keep)


def load_from_local_allowlisted(filename: str, map_location=None):
    """mmengine's ``load_from_local`` with the allow-list of this module in
    force for this one load.

    Raises:
        FileNotFoundError: no file at ``filename``.
        pickle.UnpicklingError: the checkpoint holds a global outside
            torch's and this allow-list (torch's message names it).
    """
    with allow_checkpoint_globals():
        return load_from_local(filename, map_location)


def register_checkpoint_loader() -> None:
    """Make mmengine load local checkpoints with
    :func:`load_from_local_allowlisted` (``--resume``, ``load_from``,
    ``CheckpointLoader.load_checkpoint``)."""
    CheckpointLoader.register_scheme(prefixes='',
                                     loader=load_from_local_allowlisted,
                                     force=True)
