"""Time to draw a batch of 128 and to update 128 scores, N = 1e5 ... 1e8.

Side by side with ``torch.multinomial`` over the whole table (which also has
to be re-normalised / re-read after every update, and stops at 2**24
categories). Goals (issue 4): a draw under 1 ms and an update under 0.2 ms at
N = 1e7 on this CPU; memory under 16 bytes per image.

    python benchmarks/bench_sampler.py [--sizes 1e5 1e6 1e7 1e8] [--reps 200]

"Draw" is ``ImportanceSampler.next_global_batch`` after the first
permutation pass (with smoothing, draw-count bookkeeping included); "update" is
``ImportanceSampler.update`` with 128 random indices and scores. The "RHO"
columns time the same with ``rescale='minmax'`` (eq. 4.6) on scores of both
signs: each draw also takes the minimum over the block minima.
"""
import argparse
import time

import numpy as np
import torch

from mmdet_is.datasets import ImportanceSampler
from mmdet_is.datasets.samplers.score_table import BLOCK

BATCH = 128


class Sized:
    """A stand-in data set: the sampler only needs its length."""

    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n


def per_call_ms(fn, reps):
    fn()
    t0 = time.perf_counter()
    for _ in range(reps):
        fn()
    return 1e3 * (time.perf_counter() - t0) / reps


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--sizes', nargs='+', type=float,
                        default=[1e5, 1e6, 1e7, 1e8])
    parser.add_argument('--reps', type=int, default=200)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    print(f'{"N":>12}{"draw ms":>10}{"update ms":>11}{"RHO draw":>10}'
          f'{"RHO update":>12}{"multinomial ms":>16}{"draw speed-up":>15}'
          f'{"bytes/image":>13}')
    for n in map(int, args.sizes):
        times = []
        for rescale, low in ((None, 0.0), ('minmax', -1.0)):
            s = ImportanceSampler(Sized(n), batch_size=BATCH, seed=0,
                                  policy=dict(type='importance',
                                              rescale=rescale))
            s.update(np.arange(n), rng.uniform(low, 1, n))
            s.batches_drawn = s.iters_per_epoch  # skip the permutation pass
            times.append(per_call_ms(s.next_global_batch, args.reps))
            idx = rng.integers(0, n, (args.reps + 1, BATCH))
            val = rng.uniform(low, 1, (args.reps + 1, BATCH))
            k = iter(range(args.reps + 1))

            def update():
                i = next(k)
                s.update(idx[i], val[i])

            times.append(per_call_ms(update, args.reps))
            if rescale is None:
                weights = torch.from_numpy(s.table[:].copy())
        draw, upd, rho_draw, rho_upd = times
        if n <= 2**24:
            multi = per_call_ms(
                lambda: torch.multinomial(weights, BATCH, replacement=True),
                max(5, args.reps // 20))
            multi_txt, ratio = f'{multi:16.3f}', f'{multi / draw:14.1f}x'
        else:
            multi_txt, ratio = f'{"n/a (> 2**24)":>16}', f'{"-":>15}'
        t = s.table
        nbytes = (t.scores.nbytes + t.tree.nbytes + t.counts.nbytes +
                  t.block_min.nbytes + s.draw_counts.nbytes +
                  s.last_drawn.nbytes) / n
        print(f'{n:>12.0e}{draw:>10.3f}{upd:>11.3f}{rho_draw:>10.3f}'
              f'{rho_upd:>12.3f}{multi_txt}{ratio}{nbytes:>13.2f}')
        del s, t, weights
    print(f'(scores float32 + draw counts uint32 + last draw int32 + float64 '
          f'sum tree and image counts over blocks of {BLOCK} + block minima; '
          'ratios measured in this run)')


if __name__ == '__main__':
    main()
