"""Faults a user can make, reproduced on small KITTI runs: each stops at
once with the reason, or is refused, instead of training on silently."""
import glob
import os.path as osp

import numpy as np
import pytest
from mmengine.runner import Runner

from mmdet_is.datasets import ImportanceSampler, ScoreTable
from runner_helpers import make_cfg


def test_a_sampler_without_its_hook_is_refused_in_the_first_iterations(
        tmp_path):
    """Batch 1: 10 iterations an epoch. The draw for step 3 sees the
    runner at iteration 2 with nothing popped since iteration 0, and
    refuses: 3 steps trained, no checkpoint saved."""
    cfg = make_cfg(str(tmp_path), 3)
    cfg.custom_hooks = []  # the ImportanceSamplingHook forgotten
    cfg.train_dataloader.batch_size = cfg.train_dataloader.sampler.\
        batch_size = 1
    runner = Runner.from_cfg(cfg)
    with pytest.raises(RuntimeError, match='add dict.type=.Importance'
                       'SamplingHook'):
        runner.train()
    assert runner.iter == 3
    assert not glob.glob(osp.join(str(tmp_path), '*.pth'))


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
                       r'No checkpoint of this run \(.*\) has finite weights:'
                       ' start again with a lower learning rate'):
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


def test_a_data_root_override_that_cannot_take_is_said_with_the_keys(
        tmp_path):
    """``--cfg-options data_root=D``: mmengine fixed the datasets' paths
    when it read the file, so the run would train on the default data
    without a word. The mismatch is said before the run, with the keys."""
    from mmengine.config import Config

    from conftest import REPO_ROOT
    from mmdet_is.engine import data_root_mismatch
    cfg = Config.fromfile(osp.join(REPO_ROOT, 'configs', 'thesis_detector',
                                   'fcos_baseline_underwater.py'))
    assert data_root_mismatch(cfg) == ''
    cfg.merge_from_dict({'data_root': '/data/uw/'})
    said = data_root_mismatch(cfg)
    assert said.startswith("the config's data_root is '/data/uw/' but "
                           "train_dataloader.dataset.data_root="
                           "'data/underwater/', val_dataloader.dataset."
                           "datasets.0.data_root='data/underwater/'")
    assert said.endswith(
        '--cfg-options train_dataloader.dataset.data_root=/data/uw/ '
        'val_dataloader.dataset.datasets.0.data_root=/data/uw/ '
        'val_dataloader.dataset.datasets.1.data_root=/data/uw/ '
        'test_dataloader.dataset.datasets.0.data_root=/data/uw/ '
        'test_dataloader.dataset.datasets.1.data_root=/data/uw/')
    # through the Runner (DataRootCheckHook of the default runtime)
    cfg = make_cfg(str(tmp_path), 1)
    cfg.data_root = '/somewhere/else/'
    runner = Runner.from_cfg(cfg)
    runner.train()
    log = open(glob.glob(osp.join(runner.log_dir, '*.log'))[0]).read()
    assert "WARNING - the config's data_root is '/somewhere/else/' but " \
        'train_dataloader.dataset.data_root=' in log
