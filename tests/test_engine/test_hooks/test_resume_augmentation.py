"""Exact resume with random augmentation: the KITTI pipeline's RandomFlip
after SeedAugmentation flips every draw alike in an uninterrupted run and
in a resumed one, with no, persistent or per-epoch loader workers; without
SeedAugmentation a resumed run flips otherwise (what is not exact)."""
import os.path as osp

import pytest
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.runner import Runner

from mmdet.registry import HOOKS
from runner_helpers import iter_cfg


@HOOKS.register_module()
class _RecordFlipHook(Hook):
    priority = 'ABOVE_NORMAL'

    def __init__(self):
        self.steps = []

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        samples = data_batch['data_samples']
        self.steps.append(([int(s.metainfo['sample_idx']) for s in samples],
                           [s.metainfo['flip'] for s in samples],
                           float(outputs['loss'].detach())))


def flip_cfg(repo_root, work_dir, iters, workers, persistent, seeded=True):
    cfg = iter_cfg(work_dir, iters, 'ImportanceIterBasedTrainLoop')
    kitti = Config.fromfile(osp.join(repo_root, 'configs', 'thesis_detector',
                                     'fcos_uis_kitti_tiny.py'))
    pipeline = [t for t in kitti.train_dataloader.dataset.pipeline
                if seeded or t.type != 'SeedAugmentation']
    for t in pipeline:
        if t.type == 'Resize':
            t.scale = (320, 96)
    cfg.train_dataloader.dataset.pipeline = pipeline
    cfg.train_dataloader.update(num_workers=workers,
                                persistent_workers=persistent)
    cfg.custom_hooks.append(dict(type='_RecordFlipHook'))
    return cfg


def flips(runner):
    return [h for h in runner.hooks if isinstance(h, _RecordFlipHook)][0].steps


def full_and_resumed(repo_root, tmp_path, **kwargs):
    """11 iterations straight, and 4 + a resume to 11 (5 iterations per
    epoch: the checkpoint is mid-epoch)."""
    full = Runner.from_cfg(flip_cfg(repo_root, str(tmp_path / 'a'), 11,
                                    **kwargs))
    full.train()
    part = str(tmp_path / 'b')
    Runner.from_cfg(flip_cfg(repo_root, part, 4, **kwargs)).train()
    cfg = flip_cfg(repo_root, part, 11, **kwargs)
    cfg.resume, cfg.load_from = True, osp.join(part, 'iter_4.pth')
    resumed = Runner.from_cfg(cfg)
    resumed.train()
    return flips(full)[4:], flips(resumed)


@pytest.mark.parametrize('workers, persistent',
                         [(0, False), (1, True), (2, False)])
def test_a_resumed_run_flips_and_trains_as_the_uninterrupted_one(
        repo_root, tmp_path, workers, persistent):
    full, resumed = full_and_resumed(repo_root, tmp_path, workers=workers,
                                     persistent=persistent)
    assert [s[:2] for s in resumed] == [s[:2] for s in full]
    assert [s[2] for s in resumed] == pytest.approx([s[2] for s in full],
                                                    rel=1e-4)
    assert any(any(f) for _, f, _ in full) and not all(
        all(f) for _, f, _ in full)  # the flips are random


def test_without_seed_augmentation_a_resumed_run_flips_otherwise(
        repo_root, tmp_path):
    full, resumed = full_and_resumed(repo_root, tmp_path, workers=1,
                                     persistent=True, seeded=False)
    assert [s[0] for s in resumed] == [s[0] for s in full]  # same images
    assert [s[1] for s in resumed] != [s[1] for s in full]  # other flips
