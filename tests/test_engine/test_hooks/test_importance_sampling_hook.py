"""The hook inside a real mmengine Runner on real KITTI frames."""
import glob
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.runner import Runner

from conftest import load_checkpoint_file
from mmdet_is.engine import ImportanceSamplingHook
from runner_helpers import make_cfg, record_hook


def test_scores_by_sample_idx_and_resume_draws_the_same(tmp_path):
    full = Runner.from_cfg(make_cfg(str(tmp_path / 'a'), 4))
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
    ckpt = load_checkpoint_file(tmp_path / 'a' / 'epoch_2.pth')
    assert ckpt['importance_sampler']['batches_drawn'] == 6

    # stop after 2 epochs, resume from epoch_2.pth, train epochs 3 and 4
    part_dir = str(tmp_path / 'b')
    Runner.from_cfg(make_cfg(part_dir, 2)).train()
    cfg = make_cfg(part_dir, 4)
    cfg.resume, cfg.load_from = True, osp.join(part_dir, 'epoch_2.pth')
    resumed = Runner.from_cfg(cfg)
    resumed.train()
    after = record_hook(resumed).steps
    assert [i for i, _ in after] == [i for i, _ in steps[6:]]
    np.testing.assert_allclose([s for _, s in after],
                               [s for _, s in steps[6:]], rtol=1e-4)
    # the log says once which policy and score the sampler resolved, and
    # that (and from where) its state was restored
    log = open(glob.glob(osp.join(resumed.log_dir, '*.log'))[0]).read()
    digest = ckpt['importance_sampler']['dataset']['sha1'][:12]
    assert log.count("ImportanceSampler: policy {'type': 'importance'}, "
                     "score {'type': 'ImageScore', 'heuristic': 'uis', "
                     "'reduction': 'mean', 'ignore_regression': False, "
                     "'irreducible_loss': None}; 10 images, 3 iterations an "
                     'epoch') == 1
    assert (f'ImportanceSampler state restored from {cfg.load_from}: epoch '
            f'2, iteration 6, 10 scores, training set fingerprint {digest}'
            ) in log


def test_deferred_update_writes_every_score_before_checkpoints(tmp_path):
    """defer_update (the GPU default): scores reach the table one step late
    but every checkpoint and the end of training hold them all."""
    runs = {}
    for defer in (False, True):
        cfg = make_cfg(str(tmp_path / str(defer)), 2)
        cfg.custom_hooks[0].defer_update = defer
        runner = Runner.from_cfg(cfg)
        runner.train()
        runs[defer] = runner
    immediate, deferred = (record_hook(runs[d]).steps for d in (False, True))
    # the first epoch is a permutation pass: same draws, same scores
    assert [i for i, _ in deferred[:3]] == [i for i, _ in immediate[:3]]
    first = [load_checkpoint_file(tmp_path / str(d) / 'epoch_1.pth')
             ['importance_sampler']['scores'] for d in (False, True)]
    assert torch.equal(first[0], first[1])
    last = {}
    for idx, scores in deferred:
        last.update(zip(idx, scores))
    table = runs[True].train_dataloader.sampler.table
    for i, v in last.items():
        assert table[i] == np.float32(v)


def test_rho_scores_in_the_runner_and_missing_images_at_start_up(
        tmp_path):
    from mmdet_is.scoring import save_irreducible_losses
    cfg_args = dict(heuristic='uis', reduction='mean',
                    ignore_regression=False)  # fcos_uis_kitti_tiny's head
    irr = str(tmp_path / 'irr.json')
    l_ho = {i: 100.0 + i for i in range(10)}  # img_id = int(frame id)
    save_irreducible_losses(irr, l_ho, cfg_args, ('a', ), 'x.pth')

    def rho_cfg(work_dir):
        cfg = make_cfg(work_dir, 1)
        cfg.train_dataloader.sampler.policy.rescale = 'minmax'
        cfg.train_dataloader.sampler.score.irreducible_loss = irr
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
    cfg.train_dataloader.sampler.policy.pop('rescale')
    with pytest.raises(ValueError, match="rescale='minmax'"):
        Runner.from_cfg(cfg).train()


def test_the_0_1_hook_keys_are_refused_with_what_to_write():
    with pytest.raises(TypeError, match=r"unknown key ImportanceSamplingHook"
                       r"\.heuristic='uis': write train_dataloader\.sampler"
                       r"\.score=dict\(heuristic=\.\.\.\)"):
        ImportanceSamplingHook(heuristic='uis')
    with pytest.raises(TypeError, match=r"ImportanceSamplingHook\.anneal="
                       r".*policy=dict\(type='importance', anneal=\.\.\.\)"):
        ImportanceSamplingHook(anneal=dict(begin=0.5, end=1.0))

