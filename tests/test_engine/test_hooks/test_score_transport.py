"""Two CPU processes (gloo) share one score table and split every global batch."""
import numpy as np
import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from conftest import free_port
from mmdet_is.datasets import ImportanceSampler
from mmdet_is.engine import update_from_all_ranks

N, BATCH, STEPS, SEED = 17, 3, 12, 5


def score(idx, step):
    return ((np.asarray(idx) * 31 + step) % 11 + 0.5).astype(float)


def worker(rank, port, out_dir):
    dist.init_process_group('gloo', init_method=f'tcp://127.0.0.1:{port}',
                            rank=rank, world_size=2)
    s = ImportanceSampler(list(range(N)), batch_size=BATCH, seed=SEED)
    slices, step, it = [], 0, iter(s)
    while step < STEPS:
        try:
            batch = [next(it) for _ in range(BATCH)]
        except StopIteration:
            it = iter(s)
            continue
        slices.append(batch)
        s.pop_trained()  # what the hook does after each step
        update_from_all_ranks(s, batch, torch.tensor(score(batch, step)))
        step += 1
    np.save(f'{out_dir}/table{rank}.npy', s.table[:])
    np.save(f'{out_dir}/slices{rank}.npy', np.array(slices))
    dist.destroy_process_group()


def test_two_ranks_same_table_disjoint_complete_batches(tmp_path):
    mp.spawn(worker, args=(free_port(), str(tmp_path)), nprocs=2, join=True)
    tables = [np.load(tmp_path / f'table{r}.npy') for r in range(2)]
    slices = [np.load(tmp_path / f'slices{r}.npy') for r in range(2)]
    assert np.array_equal(tables[0], tables[1])

    # One process with the global batch (2 x 3) and the gathered updates
    # draws exactly the concatenation of the two ranks' slices.
    ref = ImportanceSampler(list(range(N)), batch_size=2 * BATCH, seed=SEED)
    assert ref.iters_per_epoch == 3  # ceil(17 / 6), as on each rank
    for step in range(STEPS):
        gb = ref.next_global_batch()[0]
        assert np.array_equal(gb, np.concatenate([slices[0][step],
                                                  slices[1][step]]))
        ref.update(gb, score(gb, step))
    assert np.array_equal(ref.table[:], tables[0])
    # the first pass (3 steps) covers every image exactly once, padded
    first = np.concatenate([slices[r][:3].ravel() for r in range(2)])
    assert set(first.tolist()) == set(range(N))
