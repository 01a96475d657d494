"""Per-epoch selection policies through mmengine's Runner on real KITTI frames:
shorter epochs keep the loop right (parameter schedulers converted to
iterations, validation and checkpoint intervals, the ETA, images
processed), a resume with a prefetching worker continues the same stream,
two ranks split each global batch, misconfigurations are refused."""
import json
import math
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.hooks import Hook
from mmengine.runner import Runner

from mmdet.registry import HOOKS
from conftest import load_checkpoint_file
from runner_helpers import iter_cfg, make_cfg, recorded

BASE_LR = 1e-3


def use_selection(cfg, rule='tiers', keep_ratio=0.5, heuristic='min_pr'):
    cfg.train_dataloader.sampler = dict(
        type='ImportanceSampler', batch_size=cfg.train_dataloader.batch_size,
        policy=dict(type=rule, keep_ratio=keep_ratio),
        score=dict(heuristic=heuristic))
    cfg.custom_hooks[0] = dict(type='ImportanceSamplingHook')
    return cfg


@HOOKS.register_module()
class _LoopRecordHook(Hook):
    """After every other hook: the learning rate each iteration trained
    with, the ETA the logger computed, the validations."""
    priority = 'LOWEST'

    def __init__(self):
        self.lr, self.eta, self.val_iters = [], [], []

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        self.lr.append(runner.optim_wrapper.get_lr()['lr'][0])

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        self.eta.append((runner.iter, runner.message_hub.get_info('eta')))

    def after_val_epoch(self, runner, metrics=None):
        self.val_iters.append(runner.iter)


def test_shorter_epochs_keep_the_loop_right(repo_root, tmp_path):
    """10 frames, batch 2, keep_ratio 0.5: 5 images, 3 iterations per epoch
    (ceil(5 / 2)), 4 epochs = 12 iterations; warm-up of 1 epoch and cosine
    over the other 3, in epochs converted to iterations; validation and a
    checkpoint every 2 epochs."""
    cfg = use_selection(make_cfg(str(tmp_path), 4))
    cfg.train_dataloader.batch_size = cfg.train_dataloader.sampler.\
        batch_size = 2
    cfg.param_scheduler = [
        dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0,
             end=1, convert_to_iter_based=True),
        dict(type='CosineAnnealingLR', eta_min_ratio=0.01, by_epoch=True,
             begin=1, end=4, convert_to_iter_based=True)]
    cfg.train_cfg.val_interval = 2
    cfg.default_hooks.checkpoint.interval = 2
    cfg.default_hooks.logger.interval = 1
    base = make_cfg(str(tmp_path / 'unused'), 1)
    from mmengine.config import Config
    kitti = Config.fromfile(osp.join(repo_root, 'configs', 'thesis_detector',
                                     'fcos_uis_kitti_tiny.py'))
    cfg.val_dataloader = kitti.val_dataloader
    cfg.val_dataloader.update(num_workers=0, persistent_workers=False)
    cfg.val_dataloader.dataset.update(
        data_root=base.train_dataloader.dataset.data_root, indices=2)
    cfg.val_evaluator = kitti.val_evaluator
    cfg.val_cfg = dict(type='ValLoop')
    cfg.custom_hooks.append(dict(type='_LoopRecordHook'))
    # a visualizer of its own: mmengine reuses one of the same name, with
    # the directory of the test that built it
    cfg.visualizer.name = f'visualizer_{tmp_path.name}'
    runner = Runner.from_cfg(cfg)
    runner.train()
    rec = [h for h in runner.hooks if isinstance(h, _LoopRecordHook)][0]

    assert len(runner.train_dataloader) == 3 and runner.max_iters == 12
    # LinearLR over the 3 iterations of epoch 0 from 0.1 (mmengine's
    # LinearLR reaches the full rate at the last step of its range:
    # total_iters = end - begin - 1 = 2), then cosine over the 9 iterations
    # of epochs 1-3 to 1 % (T_max = end - begin = 9)
    expected = [BASE_LR * (0.1 + 0.9 * t / 2) for t in range(3)] + [
        BASE_LR * 0.01 + BASE_LR * 0.99 * (1 + math.cos(math.pi * t / 9)) / 2
        for t in range(9)]
    np.testing.assert_allclose(rec.lr, expected, rtol=1e-6)
    assert rec.val_iters == [6, 12]
    for epoch, it in ((2, 6), (4, 12)):
        ckpt = torch.load(osp.join(str(tmp_path), f'epoch_{epoch}.pth'),
                          weights_only=False)
        assert ckpt['meta']['iter'] == it and ckpt['meta']['epoch'] == epoch
        assert ckpt['images_processed']['images'] == it * 2
    # ETA = mean time per iteration x the iterations left of 12
    iters, etas = zip(*rec.eta)
    assert iters == tuple(range(12)) and etas[-1] == 0
    assert all(e > 0 for e in etas[:-1])
    # the validation records carry the images processed: 6 and 12 steps of
    # 2 images
    scalars = [json.loads(line) for line in open(
        osp.join(runner.log_dir, 'vis_data', 'scalars.json'))]
    val = [r for r in scalars if 'images_processed' in r]
    assert [(r['step'], r['images_processed']) for r in val] == [
        (6, 12), (12, 24)]
    # the training clock at each validation is the one the checkpoint
    # saved just before it (not a mean over the validations logged)
    for r in val:
        ckpt = torch.load(osp.join(str(tmp_path),
                                   f'epoch_{r["step"] // 3}.pth'),
                          weights_only=False)['images_processed']
        assert 0 <= r['train_wall_s'] - ckpt['train_wall_s'] < 5


@pytest.mark.parametrize('rule', ['tiers', 'infobatch'])
def test_resume_with_a_prefetching_worker_continues_the_same_stream(
        tmp_path, rule):
    """Iteration-based, 1 worker prefetching 2 batches, 10 frames, batch 2,
    keep_ratio 0.8: 4 iterations (8 images) per epoch; at the checkpoint of
    iteration 5 the worker has drawn 2 batches more, up to the third of the
    second epoch (the epoch's plan and the batches in flight are in the
    checkpoint)."""
    loop = 'ImportanceIterBasedTrainLoop'
    heuristic = 'min_pr' if rule == 'tiers' else 'lis'

    def cfg_for(work_dir, iters):
        cfg = use_selection(iter_cfg(work_dir, iters, loop),
                            rule=rule, keep_ratio=0.8, heuristic=heuristic)
        cfg.default_hooks.checkpoint.interval = 5
        return cfg

    full = Runner.from_cfg(cfg_for(str(tmp_path / 'a'), 14))
    full.train()
    steps = recorded(full).steps
    state = load_checkpoint_file(
        tmp_path / 'a' / 'iter_5.pth')['importance_sampler']
    assert state['policy']['iters_per_epoch'] == 4
    assert state['policy']['plan'] is not None
    assert len(state['in_flight']) == 2
    part = str(tmp_path / 'b')
    Runner.from_cfg(cfg_for(part, 5)).train()
    cfg = cfg_for(part, 14)
    cfg.resume, cfg.load_from = True, osp.join(part, 'iter_5.pth')
    resumed = Runner.from_cfg(cfg)
    resumed.train()
    after = recorded(resumed).steps
    assert [d for d, *_ in after] == [d for d, *_ in steps[5:]]
    np.testing.assert_allclose([s for _, _, s, _ in after],
                               [s for _, _, s, _ in steps[5:]], rtol=1e-4)
    a, b = (r.train_dataloader.sampler for r in (full, resumed))
    np.testing.assert_array_equal(a.table[:], b.table[:])
    np.testing.assert_array_equal(a.last_drawn, b.last_drawn)
    # within each epoch of 4 iterations every image at most once
    for e in range(14 // 4):
        epoch = sum((s[3] for s in steps[4 * e:4 * e + 4]), [])
        assert len(epoch) == len(set(epoch)) == 8


def test_misconfigurations_are_refused(tmp_path):
    cfg = use_selection(make_cfg(str(tmp_path / 'a'), 1),
                        rule='infobatch', heuristic='lis')
    cfg.train_dataloader.sampler.policy['unbiased'] = dict(max_weight=10.0)
    with pytest.raises(ValueError, match="argument 'unbiased'"):
        Runner.from_cfg(cfg).train()
    cfg = use_selection(make_cfg(str(tmp_path / 'b'), 1),
                        rule='tiers', keep_ratio=1.5)
    with pytest.raises(ValueError, match=r'keep_ratio must be in \(0, 1\]'):
        Runner.from_cfg(cfg).train()
