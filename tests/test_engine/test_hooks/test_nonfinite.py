"""A run that goes non-finite never leaves NaN weights behind as a
checkpoint, a checkpoint with NaN weights is never resumed, and a run that
had non-finite steps says so at its end (tiny KITTI runs through the
Runner, lr 1e6 as the hostile user's)."""
import glob
import os
import os.path as osp
import re
import subprocess
import sys

import pytest
import torch
from mmengine.runner import Runner

import fault_hooks  # noqa: F401 (registers the hooks these tests use)
from conftest import REPO_ROOT, load_checkpoint_file, tiny_kitti_cfg
from mmdet_is.engine.hooks.nonfinite_watchdog import nonfinite_tensors


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
                       r'iteration 4\)\. Resume from '
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
                       r'1 of \d+ weight tensors are not finite\. Resume '
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


def train_py(command, cwd):
    """``command`` (a list, or a shell line) run in ``cwd`` with the tests'
    helper hooks importable: (exit status, output)."""
    env = dict(os.environ, PYTHONPATH=osp.join(REPO_ROOT, 'tests'))
    proc = subprocess.run(command, cwd=cwd, capture_output=True, text=True,
                          timeout=600, env=env,
                          shell=isinstance(command, str))
    return proc.returncode, proc.stdout + proc.stderr


def test_the_printed_resume_command_resumes_the_last_finite_checkpoint(
        tmp_path):
    """Epoch 1 trains; resumed, the weights go NaN after iteration 3 and
    the checkpoint of epoch 2 is refused. The advice is a command; run
    exactly as printed it resumes epoch_1.pth (not the refused one, not
    from scratch) with the merged config of the run at a tenth of its
    learning rate. Before, the advice was ``--resume --cfg-options
    load_from=CKPT``, which tools/train.py turns into a resume of the
    latest checkpoint or, in a new work dir, a silent start from
    scratch."""
    work = str(tmp_path / 'work')
    config = str(tmp_path / 'config.py')
    cfg = cfg_for(work, 3)
    cfg.custom_hooks[0]['nonfinite_patience'] = 10
    cfg.custom_hooks.append(dict(type='_NanWeightsAtHook', iteration=2))
    cfg.custom_imports = dict(imports=['mmdet_is', 'fault_hooks'],
                              allow_failed_imports=False)
    cfg.dump(config)
    train = [sys.executable, osp.join(REPO_ROOT, 'tools', 'train.py'), config]
    rc, out = train_py(train + ['--cfg-options', 'train_cfg.max_epochs=1'],
                       REPO_ROOT)
    assert rc == 0, out[-2000:]
    epoch_1 = osp.join(work, 'epoch_1.pth')
    rc, out = train_py(train + ['--resume'], REPO_ROOT)
    # the config clips already (max_norm 35): no advice to clip
    advice = re.search(r'with a lower learning rate \(optim_wrapper\.'
                       r'optimizer\.lr, 0\.001 now\): (python3 tools/'
                       r'train\.py .*)', out)
    assert rc != 0 and advice, out[-3000:]
    command = advice.group(1).strip()
    # the merged config mmengine dumped in the work dir: every option kept
    assert command == (f'python3 tools/train.py {work}/config.py --work-dir '
                       f'{work} --resume {epoch_1} --cfg-options '
                       'optim_wrapper.optimizer.lr=0.0001')
    rc, out = train_py(command, REPO_ROOT)
    assert f'Load checkpoint from {epoch_1}' in out
    assert 'resumed epoch: 1, iter: 2' in out
    assert f'ImportanceSampler state restored from {epoch_1}: epoch 1, ' \
           'iteration 2, 8 scores' in out
    # the helper hook breaks the weights again: refused at the new rate
    assert '(optim_wrapper.optimizer.lr, 0.0001 now)' in out


def test_the_advice_names_another_runs_file_and_leaves_out_clipping():
    from mmdet_is.engine.hooks.nonfinite_watchdog import (RunFacts,
                                                          restart_advice)
    facts = RunFacts(config='c.py', work_dir='/runs/a', lr=1e6, clips=True)
    said = restart_advice(None, facts, refused='/runs/b/epoch_3.pth')
    assert said == ('/runs/b/epoch_3.pth is not a checkpoint of this run '
                    '(/runs/a): load another with finite weights, or start '
                    'again with a lower learning rate '
                    '(optim_wrapper.optimizer.lr, 1e+06 now).')
    said = restart_advice(None, RunFacts(work_dir='/runs/a', clips=False))
    assert said.endswith('or clipped gradients (optim_wrapper.clip_grad).')
