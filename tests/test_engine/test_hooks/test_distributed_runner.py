"""Two CPU processes (gloo) train through mmengine's Runner with
MMDistributedDataParallel, the ImportanceSampler (importance or tiers policy)
and the hook, on real KITTI frames: identical score tables, each global
batch split without overlap, and a resumed two-rank run that continues the
identical stream.

mmengine's ``init_dist`` needs CUDA, so each process joins the gloo group
itself; the Runner (``launcher='pytorch'``) then finds it initialised.
"""
import json
import os
import os.path as osp

import numpy as np
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from mmengine.hooks import Hook
from mmengine.runner import Runner

from mmdet.registry import HOOKS

from conftest import free_port
from runner_helpers import make_cfg, recorded

EPOCHS = 3  # 10 frames, 2 per rank, 4 per step: 3 iterations per epoch


SELECTION = dict(type='ImportanceSampler', batch_size=2,
                 policy=dict(type='tiers', keep_ratio=0.6),
                 score=dict(heuristic='min_pr'))


@HOOKS.register_module()
class _NanLossOnRank1Hook(Hook):
    """From iteration 2 on, rank 1 reports a NaN loss (as mmengine's
    RuntimeInfoHook would put it in the message hub, after which this runs);
    rank 0 does not."""
    priority = 'ABOVE_NORMAL'

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        if runner.rank == 1 and runner.iter >= 2:
            runner.message_hub.update_scalar('train/loss', float('nan'))


def worker(rank, port, work_dir, epochs, resume_from, out,
           sampler=None, nan_on_rank1=False):
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port),
                      RANK=str(rank), LOCAL_RANK=str(rank), WORLD_SIZE='2')
    torch.set_num_threads(1)
    dist.init_process_group('gloo', init_method=f'tcp://127.0.0.1:{port}',
                            rank=rank, world_size=2)
    cfg = make_cfg(work_dir, epochs)
    cfg.launcher = 'pytorch'
    cfg.env_cfg.dist_cfg = dict(backend='gloo')
    cfg.model_wrapper_cfg = dict(type='MMDistributedDataParallel',
                                 device_ids=None)  # CPU module
    cfg.train_dataloader.batch_size = 2
    cfg.train_dataloader.sampler.batch_size = 2
    if sampler is not None:
        cfg.train_dataloader.sampler = sampler
    cfg.custom_hooks.append(dict(type='_RecordDrawnHook'))
    if nan_on_rank1:
        cfg.custom_hooks[0]['nonfinite_patience'] = 2
        cfg.custom_hooks.append(dict(type='_NanLossOnRank1Hook'))
    if resume_from:
        cfg.resume, cfg.load_from = True, resume_from
    runner = Runner.from_cfg(cfg)
    stopped = None
    try:
        runner.train()
    except RuntimeError as err:
        if not nan_on_rank1:
            raise
        stopped = [runner.iter, str(err)]
    sampler = runner.train_dataloader.sampler
    dataset = runner.train_dataloader.dataset
    with open(f'{out}.rank{rank}.json', 'w') as f:
        json.dump(dict(steps=recorded(runner).steps, stopped=stopped,
                       table=sampler.table[:].tolist(),
                       paths=[dataset.get_data_info(i)['img_path']
                              for i in range(len(dataset))]), f)
    dist.destroy_process_group()


def launch(work_dir, epochs, out, resume_from=None, sampler=None,
           nan_on_rank1=False):
    mp.spawn(worker, args=(free_port(), work_dir, epochs,
                           resume_from, out, sampler, nan_on_rank1),
             nprocs=2, join=True)
    ranks = []
    for r in range(2):
        with open(f'{out}.rank{r}.json') as f:
            ranks.append(json.load(f))
    return ranks


def test_two_ranks_through_the_runner(tmp_path):
    full = launch(str(tmp_path / 'a'), EPOCHS,
                  str(tmp_path / 'full'))
    assert full[0]['table'] == full[1]['table']
    steps = [r['steps'] for r in full]
    assert len(steps[0]) == len(steps[1]) == 3 * EPOCHS
    for s0, s1 in zip(*steps):
        (d0, p0, _, g0), (d1, p1, _, g1) = s0, s1
        # one global batch of 4 on both ranks, rank r trains slice r
        assert g0 == g1 and d0 == g0[:2] and d1 == g0[2:]
        assert p0 + p1 == [full[0]['paths'][i] for i in g0]
    first_pass = sum((s[3] for s in steps[0][:3]), [])
    assert set(first_pass) == set(range(10))  # padded to 12 by wrapping
    # every image's table entry is the score its last step gave it
    last = {}
    for s0, s1 in zip(*steps):
        last.update(zip(s0[0] + s1[0], s0[2] + s1[2]))
    np.testing.assert_allclose([full[0]['table'][i] for i in sorted(last)],
                               [last[i] for i in sorted(last)], rtol=1e-6)

    part_dir = str(tmp_path / 'b')
    launch(part_dir, EPOCHS - 1, str(tmp_path / 'part'))
    resumed = launch(part_dir, EPOCHS, str(tmp_path / 'resumed'),
                     resume_from=osp.join(part_dir, f'epoch_{EPOCHS - 1}.pth'))
    for r in range(2):
        tail = full[r]['steps'][3 * (EPOCHS - 1):]
        assert [s[3] for s in resumed[r]['steps']] == [s[3] for s in tail]
        np.testing.assert_allclose([s[2] for s in resumed[r]['steps']],
                                   [s[2] for s in tail], rtol=1e-4)
    np.testing.assert_allclose(resumed[0]['table'], full[0]['table'],
                               rtol=1e-4)


def test_two_ranks_under_selection(tmp_path):
    """keep_ratio 0.6 of 10 frames at a global batch of 4: 2 iterations
    (8 images) per epoch, the same plan on both ranks, each rank its slice,
    and a resumed run that continues the same stream."""
    full = launch(str(tmp_path / 'a'), EPOCHS,
                  str(tmp_path / 'full'), sampler=SELECTION)
    assert full[0]['table'] == full[1]['table']
    steps = [r['steps'] for r in full]
    assert len(steps[0]) == len(steps[1]) == 2 * EPOCHS
    for s0, s1 in zip(*steps):
        assert s0[3] == s1[3] and s0[0] == s0[3][:2] and s1[0] == s0[3][2:]
    for e in range(EPOCHS):
        epoch = steps[0][2 * e][3] + steps[0][2 * e + 1][3]
        assert len(set(epoch)) == 8
    part_dir = str(tmp_path / 'b')
    launch(part_dir, EPOCHS - 1, str(tmp_path / 'part'),
           sampler=SELECTION)
    resumed = launch(part_dir, EPOCHS, str(tmp_path / 'resumed'),
                     resume_from=osp.join(part_dir, f'epoch_{EPOCHS - 1}.pth'),
                     sampler=SELECTION)
    for r in range(2):
        tail = full[r]['steps'][2 * (EPOCHS - 1):]
        assert [s[3] for s in resumed[r]['steps']] == [s[3] for s in tail]
    np.testing.assert_allclose(resumed[0]['table'], full[0]['table'],
                               rtol=1e-4)


def test_a_nan_loss_on_one_rank_stops_both_at_the_same_step(tmp_path):
    """Rank 1's loss is NaN from iteration 2 on: both ranks leave rank 1's
    scores out of the table (rank 0's are written: the tables stay equal)
    and both stop after 2 such steps, at the same iteration, instead of one
    rank waiting forever in the next collective."""
    ranks = launch(str(tmp_path / 'a'), EPOCHS,
                   str(tmp_path / 'nan'), nan_on_rank1=True)
    assert ranks[0]['stopped'][0] == ranks[1]['stopped'][0] == 3
    assert 'not been finite for 2 iterations' in ranks[0]['stopped'][1]
    assert ranks[0]['table'] == ranks[1]['table']
    # rank 1's scores of the NaN steps (iterations 3 and 4) are not in the
    # table; rank 0's are
    for rank, kept in ((1, False), (0, True)):
        for drawn, _, scores, _ in ranks[rank]['steps'][2:]:
            for i, v in zip(drawn, scores):
                assert (ranks[rank]['table'][i] == np.float32(v)) == kept
