"""The checkpoint allow-list holds for mmengine's checkpoint loads only:
torch's own allow-list is untouched, and a foreign global is refused
everywhere."""
import pickle

import numpy as np
import pytest
import torch
from mmengine.logging import HistoryBuffer
from mmengine.runner.checkpoint import CheckpointLoader

import mmdet_is  # noqa: F401  (registers the loader)


class Foreign:
    """A global no allow-list names."""


def test_the_allow_list_is_scoped_to_mmengine_loads(tmp_path):
    path = str(tmp_path / 'run.pth')
    buffer = HistoryBuffer()
    buffer.update(2.5)
    torch.save(dict(message_hub=dict(loss=buffer), meta=np.arange(3)), path)
    # torch's allow-list is as torch left it: a plain load refuses
    assert HistoryBuffer not in torch.serialization.get_safe_globals()
    with pytest.raises(pickle.UnpicklingError, match='HistoryBuffer'):
        torch.load(path, weights_only=True)
    # mmengine's loader (--resume, load_from) reads it
    ckpt = CheckpointLoader.load_checkpoint(path, map_location='cpu')
    assert ckpt['message_hub']['loss'].current() == 2.5
    assert ckpt['meta'].tolist() == [0, 1, 2]
    assert HistoryBuffer not in torch.serialization.get_safe_globals()


def test_a_checkpoint_with_a_foreign_global_is_refused(tmp_path):
    path = str(tmp_path / 'foreign.pth')
    torch.save(dict(state=Foreign()), path)
    with pytest.raises(pickle.UnpicklingError, match='Foreign'):
        CheckpointLoader.load_checkpoint(path, map_location='cpu')
