"""Faults a user can make, reproduced on small KITTI runs: each stops at
once with the reason, or is refused, instead of training on silently."""
import os.path as osp

import numpy as np
import pytest
from mmengine.runner import Runner

from mmdet_is.datasets import ImportanceSampler, ScoreTable
from runner_helpers import make_cfg


def test_a_sampler_without_its_hook_refuses_a_second_epoch(tmp_path):
    cfg = make_cfg(str(tmp_path), 3)
    cfg.custom_hooks = []  # the ImportanceSamplingHook forgotten
    runner = Runner.from_cfg(cfg)
    with pytest.raises(RuntimeError, match='add dict.type=.Importance'
                       'SamplingHook'):
        runner.train()
    assert runner.iter == 3  # one epoch of ceil(10 / 4) iterations


def test_resume_on_another_training_set_of_the_same_size_is_refused(
        tmp_path):
    work = str(tmp_path)
    Runner.from_cfg(make_cfg(work, 1)).train()
    cfg = make_cfg(work, 2)
    # frames 000010-000019 instead of 000000-000009: also 10 images
    split = osp.join(work, 'other_split.txt')
    with open(split, 'w') as f:
        f.write('\n'.join(f'{i:06d}' for i in range(10, 20)) + '\n')
    cfg.train_dataloader.dataset.update(ann_file=split, indices=None)
    cfg.resume, cfg.load_from = True, osp.join(work, 'epoch_1.pth')
    with pytest.raises(ValueError, match=r"another training set \(image 0 "
                       r"was '0:000000.jpg' and is now '10:000010.jpg'"):
        Runner.from_cfg(cfg).train()


def test_a_loss_that_stays_non_finite_stops_the_run_and_scores_nothing(
        tmp_path):
    cfg = make_cfg(str(tmp_path), 5)
    cfg.optim_wrapper.optimizer.lr = 1e6
    cfg.optim_wrapper.pop('clip_grad')
    cfg.custom_hooks[0]['nonfinite_patience'] = 3
    cfg.default_hooks.checkpoint.interval = 100  # the patience stops it
    runner = Runner.from_cfg(cfg)
    # no checkpoint was saved before it: the message says start again
    with pytest.raises(RuntimeError, match=r'not been finite for 3 '
                       r'iterations .* the last finite one at iteration.*'
                       'No checkpoint of this run has finite weights: start '
                       'again with a lower learning rate'):
        runner.train()
    sampler = runner.train_dataloader.sampler
    finite_steps = runner.iter - 3 + 1  # iterations before the 3 failing
    # only the finite steps' images were scored; every score is finite
    assert np.count_nonzero(sampler.table[:] != 1.0) <= 4 * finite_steps
    assert np.isfinite(sampler.table[:]).all()


def test_the_table_refuses_overflowing_and_non_finite_scores():
    s = ImportanceSampler(list(range(5)), batch_size=2, seed=0)
    # 1e39 would be inf in float32; 1e30 is the largest score kept
    assert s.update([0, 1, 2], [1e39, float('nan'), 1e30]) == 2
    assert s.table[0] == 1.0 and s.table[1] == 1.0
    assert s.table[2] == np.float32(1e30)
    s.batches_drawn = s.iters_per_epoch  # draws from the scores now work
    assert s.next_global_batch()[0].tolist() == [2, 2]
    with pytest.raises(ValueError, match='finite and within'):
        ScoreTable(3).update(np.array([1]), np.array([np.inf]))
