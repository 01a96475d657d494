import importlib.util
import os
import os.path as osp
import socket
import sys

import pytest

import mmdet_is  # noqa: F401  (registers the components)

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
# Where this workplace keeps the real data sets that are not bundled (the
# underwater and DeepPCB images): linked into data/ as the configs read it.
SHARED_DATA = osp.join(REPO_ROOT, '..', 'shared', 'data')


def link_shared_data() -> None:
    """Link each ``../shared/data/<name>`` into ``data/<name>`` when it is
    there and ``data/<name>`` is not; tests that need a set skip with the
    reason when it is in neither place."""
    if not osp.isdir(SHARED_DATA):
        return
    for name in sorted(os.listdir(SHARED_DATA)):
        link = osp.join(REPO_ROOT, 'data', name)
        if not osp.lexists(link):
            os.symlink(osp.abspath(osp.join(SHARED_DATA, name)), link)


link_shared_data()


def data_missing(name: str) -> str:
    """The skip reason for a test that needs ``data/<name>``."""
    return (f'data/{name} missing: put the set there as '
            'docs/guide/01_getting_started.md#layout-and-data says')


def load_tool(relpath: str):
    """Import a script under ``tools/`` as a module, once (registered in
    ``sys.modules`` so that worker processes can unpickle its functions)."""
    name = osp.splitext(osp.basename(relpath))[0]
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(
        name, osp.join(REPO_ROOT, 'tools', relpath))
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def load_study_tool():
    """The package behind ``tools/analysis/study.py`` (``study_tool``), with
    ``tools/analysis`` on ``sys.path`` as the script puts it."""
    import importlib
    path = osp.join(REPO_ROOT, 'tools', 'analysis')
    if path not in sys.path:
        sys.path.insert(0, path)
    return importlib.import_module('study_tool')


class FakeDataset:
    """A training set of ``n`` images for sampler tests: a length and each
    image's size (mmdet's ``AspectRatioBatchSampler`` groups by it)."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __len__(self) -> int:
        return self.n

    def get_data_info(self, idx: int) -> dict:
        return dict(width=1280 if idx % 3 else 384, height=384)


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now (for a gloo group or torchrun)."""
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def tiny_kitti_cfg(config: str, work_dir: str, images: int, epochs: int,
                   checkpoint_interval=None, flip: bool = True):
    """The one builder of the tests' training configs: a KITTI config of
    ``configs/thesis_detector/`` shrunk to train on this CPU in seconds:
    its first ``images`` training frames at 320 x 96, no loader workers,
    ``epochs`` epochs, no validation, a checkpoint every
    ``checkpoint_interval`` epochs (default: at the end), no visualisation;
    ``flip=False`` drops RandomFlip (steps comparable across runs without
    SeedAugmentation)."""
    from mmengine.config import Config
    cfg = Config.fromfile(osp.join(REPO_ROOT, 'configs', 'thesis_detector',
                                   config))
    loader = cfg.train_dataloader
    loader.update(num_workers=0, persistent_workers=False)
    loader.dataset.update(data_root=osp.join(REPO_ROOT, 'data', 'kitti_tiny'),
                          indices=images)
    if not flip:
        loader.dataset.pipeline = [t for t in loader.dataset.pipeline
                                   if t.type != 'RandomFlip']
    for t in loader.dataset.pipeline:
        if t.type == 'Resize':
            t.scale = (320, 96)
    cfg.train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=epochs,
                         val_interval=100)
    cfg.val_dataloader = cfg.val_cfg = cfg.val_evaluator = None
    cfg.test_dataloader = cfg.test_cfg = cfg.test_evaluator = None
    cfg.default_hooks.checkpoint = dict(
        type='CheckpointHook', interval=checkpoint_interval or epochs,
        save_best=None)
    cfg.default_hooks.pop('visualization')
    cfg.visualizer.vis_backends = [dict(type='LocalVisBackend')]
    cfg.work_dir = work_dir
    return cfg


def load_checkpoint_file(path):
    """A training checkpoint as mmengine loads it on ``--resume``
    (``CheckpointLoader``, with mmdet_is's allow-list for this load)."""
    from mmengine.runner.checkpoint import CheckpointLoader
    return CheckpointLoader.load_checkpoint(str(path), map_location='cpu')


def prefetching_loader(sampler, steps: int, score, ahead: int = 3,
                       batch: int = 3):
    """Train ``steps`` batches of ``batch`` indices from ``sampler`` as a
    prefetching DataLoader would: each batch is drawn ``ahead`` steps
    before it is trained; after each step the batch trained is popped
    (it must be the oldest in flight) and its images get ``score(i, t)``
    at step ``t``; an exhausted iterator is replaced, as at an epoch end.

    Returns:
        list of (indices, loss weights) per step, in training order.
    """
    it, out = iter(sampler), []
    pending = [[next(it) for _ in range(batch)] for _ in range(ahead)]
    for t in range(steps):
        indices = pending.pop(0)
        weights = sampler.next_to_train()[1].tolist()
        assert sampler.pop_trained().tolist() == indices
        sampler.update(indices, [score(i, t) for i in indices])
        out.append((indices, weights))
        nxt = [i for _, i in zip(range(batch), it)]
        if not nxt:
            it = iter(sampler)
            nxt = [next(it) for _ in range(batch)]
        pending.append(nxt)
    return out


@pytest.fixture(scope='session')
def repo_root():
    return REPO_ROOT
