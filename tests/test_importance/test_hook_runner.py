"""The hook inside a real mmengine Runner on real KITTI frames."""
import os
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.runner import Runner

from mmdet.registry import HOOKS
from mmdet_is.scoring import image_scores
from mmdet_is.scoring.ingredients import MESSAGE_KEY

FRAMES = [f'{i:06d}' for i in range(10)]


@HOOKS.register_module()
class _RecordImportanceHook(Hook):
    """Runs before ImportanceSamplingHook and records what it will see."""
    priority = 'ABOVE_NORMAL'

    def __init__(self):
        self.steps = []

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        terms = image_scores(runner.message_hub.runtime_info[MESSAGE_KEY],
                             heuristic='uis', reduction='mean')
        idx = [s.metainfo['sample_idx'] for s in data_batch['data_samples']]
        self.steps.append((idx, terms['score'].tolist()))


def make_cfg(repo_root, work_dir, max_epochs):
    cfg = Config.fromfile(
        osp.join(repo_root, 'configs', 'fcos_uis_kitti_tiny.py'))
    os.makedirs(work_dir, exist_ok=True)
    split = osp.join(work_dir, 'split.txt')
    with open(split, 'w') as f:
        f.write('\n'.join(FRAMES) + '\n')
    loader = cfg.train_dataloader
    loader.update(num_workers=0, persistent_workers=False)
    loader.dataset.update(
        data_root=osp.join(repo_root, 'data', 'kitti_tiny'), ann_file=split,
        pipeline=[t for t in loader.dataset.pipeline
                  if t.type != 'RandomFlip'])
    for t in loader.dataset.pipeline:
        if t.type == 'Resize':
            t.scale = (320, 96)
    cfg.train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs,
                         val_interval=100)
    cfg.val_dataloader = cfg.val_cfg = cfg.val_evaluator = None
    cfg.test_dataloader = cfg.test_cfg = cfg.test_evaluator = None
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=1,
                                        save_best=None)
    cfg.default_hooks.pop('visualization')
    cfg.visualizer.vis_backends = [dict(type='LocalVisBackend')]
    cfg.custom_hooks = cfg.custom_hooks + [dict(type='_RecordImportanceHook')]
    cfg.work_dir = work_dir
    return cfg


def record_hook(runner):
    return [h for h in runner.hooks if isinstance(h, _RecordImportanceHook)][0]


def test_scores_by_sample_idx_and_resume_draws_the_same(repo_root, tmp_path):
    full = Runner.from_cfg(make_cfg(repo_root, str(tmp_path / 'a'), 4))
    full.train()
    steps = record_hook(full).steps
    assert len(steps) == 4 * 3  # ceil(10 / 4) iterations per epoch
    # every image's score in the table is the last one the head gave it
    sampler = full.train_dataloader.sampler
    last = {}
    for idx, scores in steps:
        last.update(zip(idx, scores))
    assert sorted(last) == list(range(10))  # first pass covered all
    for i, v in last.items():
        assert sampler.table[i] == np.float32(v)
    ckpt = torch.load(tmp_path / 'a' / 'epoch_2.pth', weights_only=True)
    assert ckpt['importance_sampler']['batches_drawn'] == 6

    # stop after 2 epochs, resume from epoch_2.pth, train epochs 3 and 4
    part_dir = str(tmp_path / 'b')
    Runner.from_cfg(make_cfg(repo_root, part_dir, 2)).train()
    cfg = make_cfg(repo_root, part_dir, 4)
    cfg.resume, cfg.load_from = True, osp.join(part_dir, 'epoch_2.pth')
    resumed = Runner.from_cfg(cfg)
    resumed.train()
    after = record_hook(resumed).steps
    assert [i for i, _ in after] == [i for i, _ in steps[6:]]
    np.testing.assert_allclose([s for _, s in after],
                               [s for _, s in steps[6:]], rtol=1e-4)


def test_deferred_update_writes_every_score_before_checkpoints(repo_root,
                                                             tmp_path):
    """defer_update (the GPU default): scores reach the table one step late
    but every checkpoint and the end of training hold them all."""
    runs = {}
    for defer in (False, True):
        cfg = make_cfg(repo_root, str(tmp_path / str(defer)), 2)
        cfg.custom_hooks[0].defer_update = defer
        runner = Runner.from_cfg(cfg)
        runner.train()
        runs[defer] = runner
    immediate, deferred = (record_hook(runs[d]).steps for d in (False, True))
    # the first epoch is a permutation pass: same draws, same scores
    assert [i for i, _ in deferred[:3]] == [i for i, _ in immediate[:3]]
    first = [torch.load(tmp_path / str(d) / 'epoch_1.pth', weights_only=True)
             ['importance_sampler']['scores'] for d in (False, True)]
    assert torch.equal(first[0], first[1])
    last = {}
    for idx, scores in deferred:
        last.update(zip(idx, scores))
    table = runs[True].train_dataloader.sampler.table
    for i, v in last.items():
        assert table[i] == np.float32(v)


def test_rho_scores_in_the_runner_and_missing_images_at_start_up(
        repo_root, tmp_path):
    from mmdet_is.scoring import save_irreducible_losses
    cfg_args = dict(heuristic='uis', reduction='mean',
                    ignore_regression=False)  # fcos_uis_kitti_tiny's head
    irr = str(tmp_path / 'irr.json')
    l_ho = {i: 100.0 + i for i in range(10)}  # img_id = int(frame id)
    save_irreducible_losses(irr, l_ho, cfg_args, ('a', ), 'x.pth')

    def rho_cfg(work_dir):
        cfg = make_cfg(repo_root, work_dir, 1)
        cfg.train_dataloader.sampler.rescale = 'minmax'
        cfg.custom_hooks[0].irreducible_loss = irr
        return cfg

    runner = Runner.from_cfg(rho_cfg(str(tmp_path / 'a')))
    runner.train()
    last = {}
    for idx, scores in record_hook(runner).steps:
        last.update(zip(idx, scores))
    table = runner.train_dataloader.sampler.table
    for i, v in last.items():  # sample_idx i holds frame 00000i
        assert table[i] == pytest.approx(v - l_ho[i], rel=1e-6)
    assert table[:].max() < 0  # negative scores kept (rescale='minmax')

    save_irreducible_losses(irr, {i: 1.0 for i in range(8)}, cfg_args,
                            ('a', ), 'x.pth')
    with pytest.raises(ValueError, match=r'2 of 10 training images .* '
                       r'img_id 8, 9'):
        Runner.from_cfg(rho_cfg(str(tmp_path / 'b'))).train()
    cfg = rho_cfg(str(tmp_path / 'c'))
    cfg.train_dataloader.sampler.pop('rescale')
    with pytest.raises(ValueError, match="rescale='minmax'"):
        Runner.from_cfg(cfg).train()
