"""A run that diverges without going NaN is said, once, with the
iteration and the figures; unit cases worked by hand and the hostile
user's run (lr 1,000, batch 1) through the Runner."""
import glob
import os.path as osp

import numpy as np
import pytest
from mmengine.runner import Runner

from conftest import tiny_kitti_cfg
from mmdet_is.engine import DivergenceWatch


def test_the_loss_warning_worked_by_hand():
    watch = DivergenceWatch(growth=1e3, early_steps=3)
    weights = iter([7.5e4]).__next__  # asked once, when it warns
    # early losses 2.0, 0.9, 1.5: reference min = 0.9, threshold 900
    assert [watch.loss(i, v, weights) for i, v in
            enumerate([2.0, 0.9, 1.5, 899.0, float('nan')])] == [None] * 5
    said = watch.loss(5, 1800.0, weights)
    assert said.startswith('the loss has diverged without going NaN: 1.8e+03'
                           ' at iteration 6, 2e+03 times its early value 0.9')
    assert 'largest weight magnitude is 7.5e+04' in said
    assert watch.loss(6, 1e9, weights) is None  # once


def test_collapsed_scores_worked_by_hand():
    watch = DivergenceWatch(rtol=1e-2, min_scores=4)
    watch.scores(10, np.array([0.5, 0.25, 0.25, 0.25]))
    assert watch.collapsed(11) is None  # spread 0.25 > 1 % of 0.5
    watch.scores(12, np.array([0.0, 0.0, 0.0]))
    assert watch.collapsed(12) is None  # 3 scores: too few to tell
    # 8.0e-6 .. 8.07e-6: spread 0.07e-6 <= 1 % of 8.07e-6 = 0.0807e-6
    watch.scores(12, np.array([8.0e-6, 8.07e-6, np.nan]))
    watch.scores(13, np.array([8.05e-6, 8.03e-6]))
    said = watch.collapsed(13)
    assert said.startswith('the importance scores have collapsed: every one '
                           'of the 4 scores written in iterations 13-14 was '
                           '8.07e-06 (to 1%), so the sampler now draws as if '
                           'uniform')
    watch.scores(14, np.zeros(8))
    assert watch.collapsed(15) is None  # once
    zeros = DivergenceWatch()
    zeros.scores(0, np.zeros(4))
    assert 'was 0, so' in zeros.collapsed(0)
    with pytest.raises(ValueError, match='growth must be > 1'):
        DivergenceWatch(growth=1.0)


def test_lr_1000_batch_1_diverges_without_nan_and_the_log_says_so(tmp_path):
    """The hostile run: the loss grows from about 1 to millions, every
    closeness score falls to the same floor (8.08e-6), no NaN, rc 0: both
    warnings are in the log (before, the run finished without a word).
    At lr 30 one image of an interval could keep a score twice the others'
    on one machine and not on another: 1,000 saturates every image."""
    cfg = tiny_kitti_cfg('fcos_closeness_kitti_tiny.py', str(tmp_path), 8, 2)
    cfg.optim_wrapper.optimizer.lr = 1000
    cfg.train_dataloader.batch_size = cfg.train_dataloader.sampler.\
        batch_size = 1
    cfg.default_hooks.logger.interval = 4
    runner = Runner.from_cfg(cfg)
    runner.train()
    log = open(glob.glob(osp.join(runner.log_dir, '*.log'))[0]).read()
    assert 'the loss has diverged without going NaN' in log
    assert 'times its early value' in log
    assert 'the importance scores have collapsed: every one of the' in log
    assert 'so the sampler now draws as if uniform' in log
