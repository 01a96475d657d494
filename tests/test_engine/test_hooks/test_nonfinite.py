"""A run that goes non-finite never leaves NaN weights behind as a
checkpoint, a checkpoint with NaN weights is never resumed, and a run that
had non-finite steps says so at its end (tiny KITTI runs through the
Runner, lr 1e6 as the hostile user's)."""
import glob
import os
import os.path as osp

import pytest
import torch
from mmengine.hooks import Hook
from mmengine.runner import Runner

from conftest import load_checkpoint_file, tiny_kitti_cfg
from mmdet.registry import HOOKS
from mmdet_is.engine.hooks.nonfinite_watchdog import nonfinite_tensors


@HOOKS.register_module()
class _NanLossAtHook(Hook):
    """Reports a NaN loss at the given iterations, as mmengine's
    RuntimeInfoHook would put it in the message hub (the weights stay
    finite: the step itself trained on a finite loss)."""
    priority = 'ABOVE_NORMAL'

    def __init__(self, iterations=()):
        self.iterations = set(iterations)

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        if runner.iter in self.iterations:
            runner.message_hub.update_scalar('train/loss', float('nan'))


@HOOKS.register_module()
class _NanWeightsAtHook(Hook):
    """Turns one weight tensor of the model NaN after the given iteration
    (what a learning rate far too high does, on a chosen step)."""
    priority = 'LOW'

    def __init__(self, iteration):
        self.iteration = iteration

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        if runner.iter == self.iteration:
            with torch.no_grad():
                next(runner.model.parameters()).fill_(float('nan'))


def cfg_for(work_dir, epochs, lr=1e-3):
    """8 frames, batch 4: 2 iterations an epoch, a checkpoint every epoch,
    a patience the run never reaches."""
    cfg = tiny_kitti_cfg('fcos_closeness_kitti_tiny.py', work_dir, 8, epochs,
                         checkpoint_interval=1)
    cfg.optim_wrapper.optimizer.lr = lr
    cfg.custom_hooks[0]['nonfinite_patience'] = 100
    return cfg


def finite(path):
    return nonfinite_tensors(load_checkpoint_file(path)['state_dict'])[0] == 0


def last_checkpoint(work_dir):
    with open(osp.join(work_dir, 'last_checkpoint')) as f:
        return f.read().strip()


def test_lr_1e6_leaves_no_nan_checkpoint_and_says_start_again(tmp_path):
    work = str(tmp_path)
    with pytest.raises(RuntimeError,
                       match=r'cannot save the checkpoint of iteration 2: '
                       r'\d+ of \d+ weight tensors are not finite .*start '
                       'again with a lower learning rate'):
        Runner.from_cfg(cfg_for(work, 3, lr=1e6)).train()
    assert not glob.glob(osp.join(work, '*.pth'))
    assert not osp.exists(osp.join(work, 'last_checkpoint'))


def test_nan_weights_after_a_finite_epoch_name_it_as_the_resume_point(
        tmp_path):
    work = str(tmp_path)
    cfg = cfg_for(work, 3)
    cfg.custom_hooks.append(dict(type='_NanWeightsAtHook', iteration=2))
    epoch_1 = osp.join(work, 'epoch_1.pth')
    # the NaN weight of iteration 3 makes the loss of iteration 4 NaN and
    # its step turns every weight NaN
    with pytest.raises(RuntimeError, match='cannot save the checkpoint of '
                       r'iteration 4: (\d+) of \1 weight tensors are not '
                       r'finite \(the loss was not finite in 1 step, from '
                       r'iteration 4\)\. .*then resume from '
                       f'{epoch_1}, the last checkpoint with finite '
                       'weights'):
        Runner.from_cfg(cfg).train()
    # every checkpoint written is finite, and last_checkpoint names one
    assert glob.glob(osp.join(work, '*.pth')) == [epoch_1]
    assert last_checkpoint(work) == epoch_1 and finite(epoch_1)


def test_resume_of_nan_weights_is_refused_naming_the_last_finite(tmp_path):
    work = str(tmp_path)
    Runner.from_cfg(cfg_for(work, 1)).train()
    epoch_1, epoch_2 = (osp.join(work, f'epoch_{e}.pth') for e in (1, 2))
    ckpt = load_checkpoint_file(epoch_1)
    name = next(k for k, v in ckpt['state_dict'].items()
                if v.is_floating_point())
    ckpt['state_dict'][name] = torch.full_like(ckpt['state_dict'][name],
                                               float('nan'))
    torch.save(ckpt, epoch_2)  # as an earlier version wrote them
    with open(osp.join(work, 'last_checkpoint'), 'w') as f:
        f.write(epoch_2)
    cfg = cfg_for(work, 3)
    cfg.resume = True  # mmengine resumes from what last_checkpoint names
    with pytest.raises(RuntimeError, match=f'cannot resume from {epoch_2}: '
                       r'1 of \d+ weight tensors are not finite\. .*resume '
                       f'from {epoch_1}'):
        Runner.from_cfg(cfg).train()
    cfg = cfg_for(work, 3)
    cfg.resume, cfg.load_from = True, epoch_2
    os.remove(epoch_1)
    with pytest.raises(RuntimeError, match=f'cannot resume from {epoch_2}: '
                       '.*start again with a lower learning rate'):
        Runner.from_cfg(cfg).train()


def test_a_run_with_non_finite_steps_says_so_at_its_end(tmp_path):
    cfg = cfg_for(str(tmp_path), 2)
    cfg.custom_hooks.append(dict(type='_NanLossAtHook', iterations=[1, 2]))
    runner = Runner.from_cfg(cfg)
    runner.train()  # 2 of 4 steps, fewer than the patience: it finishes
    log = open(glob.glob(osp.join(runner.log_dir, '*.log'))[0]).read()
    assert ('the loss was not finite in 2 steps (iterations 2, 3); their '
            'images kept their earlier scores') in log
    assert finite(last_checkpoint(str(tmp_path)))
