"""A policy and a heuristic defined outside mmdet_is, loaded by
``custom_imports``, train through the Runner on real KITTI frames."""
import os.path as osp
import sys

import numpy as np
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.runner import Runner

from conftest import tiny_kitti_cfg
from mmdet.registry import HOOKS
from mmdet_is.models.utils import MESSAGE_KEY


@HOOKS.register_module()
class _RecordExtensionsHook(Hook):
    """Before ImportanceSamplingHook: each epoch's table when it was
    planned, its images, and each step's ingredients and indices."""
    priority = 'ABOVE_NORMAL'

    def __init__(self):
        self.epochs, self.steps = [], []

    def before_train_epoch(self, runner):
        self.table = runner.train_dataloader.sampler.table[:].copy()

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        sampler = runner.train_dataloader.sampler
        if batch_idx == 0:
            self.epochs.append((self.table, sampler.epoch_images().copy()))
        ing = runner.message_hub.runtime_info[MESSAGE_KEY]
        idx = [s.metainfo['sample_idx'] for s in data_batch['data_samples']]
        self.steps.append((idx, {k: ing[k].clone()
                                 for k in ('a', 'iou', 'care', 'obj_inds')}))


def brute_force_scores(ing):
    """``mean over cared locations of (1 - a)`` plus ``mean over positive
    locations of (1 - IoU)``, one image at a time, in plain Python."""
    out = []
    for b in range(len(ing['a'])):
        cls = [1 - float(a) for a, c in zip(ing['a'][b], ing['care'][b]) if c]
        reg = [1 - float(v) for v, o in zip(ing['iou'][b], ing['obj_inds'][b])
               if o >= 0]
        out.append((sum(cls) / len(cls) if cls else 0.0) +
                   (sum(reg) / len(reg) if reg else 0.0))
    return out


def test_a_user_policy_and_heuristic_train_through_the_runner(
        tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(osp.dirname(__file__))
    cfg = tiny_kitti_cfg('fcos_tiers_kitti_tiny.py', str(tmp_path), 8, 5)
    cfg.custom_imports = dict(imports=['mmdet_is', 'user_extensions'],
                              allow_failed_imports=False)
    cfg.train_dataloader.sampler.policy = dict(type='hardest_first',
                                               keep_ratio=0.5)
    cfg.train_dataloader.sampler.score = dict(heuristic='confidence_gap',
                                              reduction='masked_mean')
    cfg.custom_hooks.append(dict(type='_RecordExtensionsHook'))
    # as tools/train.py reads it: Config.fromfile runs custom_imports
    cfg.dump(str(tmp_path / 'user_config.py'))
    assert 'user_extensions' not in sys.modules
    runner = Runner.from_cfg(Config.fromfile(str(tmp_path / 'user_config.py')))
    runner.train()
    rec = [h for h in runner.hooks
           if type(h).__name__ == '_RecordExtensionsHook'][0]
    sampler = runner.train_dataloader.sampler
    assert type(sampler.policy).__name__ == 'HardestFirstPolicy'
    # 8 frames, batch 4, keep 0.5: one iteration of 4 images an epoch;
    # epochs 0 and 1 train the never-trained images, then the 4 hardest
    assert len(rec.epochs) == 5 and sampler.iters_per_epoch == 1
    assert set(np.concatenate([e for _, e in rec.epochs[:2]])) == set(
        range(8))
    for table, images in rec.epochs[2:]:
        top = set(np.argsort(-table, kind='stable')[:4].tolist())
        assert set(images.tolist()) == top
    # every image's score is its last step's, by the user's heuristic
    last = {}
    for idx, ing in rec.steps:
        last.update(zip(idx, brute_force_scores(ing)))
    for i, v in last.items():
        assert abs(sampler.table[i] - v) < 1e-5, (i, sampler.table[i], v)
