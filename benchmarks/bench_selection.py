"""What per-epoch selection costs per training iteration, N = 1e6 and 1e8.

    python3 benchmarks/bench_selection.py [--sizes 1e6 1e8] [--batch 128]
        [--keep-ratio 0.6] [--reps 3] [--iter-ms 100]

A selection policy plans each epoch once, at its start (O(N): tiers and
quantiles, InfoBatch's mean, the random choices and the shuffle), then cuts
the plan into ``K / G`` global batches. Per rule this times, on a warmed-up
state (every image scored, random scores, random ages of 1-12 epochs):

* the plan of one epoch (``SelectionPolicy.plan``, median of ``--reps``),
  which is also the pause at the start of every epoch;
* its cost per iteration: the plan over the epoch's iterations plus the
  cut of one batch (``next_global_batch`` inside an epoch);

side by side, in the same run, with the ImportanceSampler's multinomial
draw of one global batch (``next_global_batch`` after the first pass), the
per-iteration cost of importance sampling with replacement. The share is of
a training iteration of ``--iter-ms`` milliseconds (default 100: a fast
GPU step at batch 128, faster than any measured here, so the share is an
upper bound). Goal (issue 20): under 1 %.
"""
import argparse
import time

import numpy as np

from mmdet_is.datasets import ImportanceSampler

RULES = (dict(type='random'), dict(type='tiers'), dict(type='infobatch'))


class Sized:
    """A stand-in data set: the samplers only need its length."""

    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n


def median_seconds(fn, reps):
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def warmed_up(sampler, scores, rng, epoch=12):
    """Every image scored, last trained 1-12 epochs before ``epoch``; the
    next draw starts epoch ``epoch``."""
    n = sampler.num_images
    sampler.update(np.arange(n), scores)
    ages = rng.integers(1, 13, n)
    sampler.last_drawn[:] = (epoch - ages) * sampler.iters_per_epoch
    sampler.batches_drawn = epoch * sampler.iters_per_epoch
    return sampler


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--sizes', nargs='+', type=float, default=[1e6, 1e8])
    parser.add_argument('--batch', type=int, default=128)
    parser.add_argument('--keep-ratio', type=float, default=0.6)
    parser.add_argument('--reps', type=int, default=3)
    parser.add_argument('--iter-ms', type=float, default=100.0)
    args = parser.parse_args()
    print(f'{"N":>8} {"sampler":<24}{"epoch plan s":>13}{"iters/epoch":>12}'
          f'{"ms/iter":>10}{"share of iter":>15}{"vs multinomial":>16}')
    for n in map(int, args.sizes):
        rng = np.random.default_rng(0)
        scores = rng.gamma(2.0, 1.0, n).astype(np.float32)
        s = ImportanceSampler(Sized(n), batch_size=args.batch, seed=0)
        s.update(np.arange(n), scores)
        s.batches_drawn = s.iters_per_epoch  # after the permutation pass
        multi_ms = 1e3 * median_seconds(s.next_global_batch,
                                        max(20, 10 * args.reps))
        print(f'{n:>8.0e} {"multinomial draw":<24}{"-":>13}'
              f'{s.iters_per_epoch:>12}{multi_ms:>10.3f}'
              f'{100 * multi_ms / args.iter_ms:>14.3f}%{"1.00x":>16}')
        del s
        for rule in RULES:
            sel = warmed_up(ImportanceSampler(
                Sized(n), args.batch, seed=0,
                policy=dict(rule, keep_ratio=args.keep_ratio)), scores, rng)
            epoch = sel.batches_drawn // sel.iters_per_epoch
            plan_s = median_seconds(lambda s=sel: s.policy.plan(epoch),
                                    args.reps)
            sel.next_global_batch()  # plans the epoch, then cut batches
            cut_ms = 1e3 * median_seconds(sel.next_global_batch,
                                          max(20, 10 * args.reps))
            per_iter = 1e3 * plan_s / sel.iters_per_epoch + cut_ms
            print(f'{n:>8.0e} {"selection " + rule["type"]:<24}'
                  f'{plan_s:>13.2f}{sel.iters_per_epoch:>12}'
                  f'{per_iter:>10.3f}{100 * per_iter / args.iter_ms:>14.3f}%'
                  f'{per_iter / multi_ms:>15.2f}x')
            del sel
    print(f'(global batch {args.batch}, keep_ratio {args.keep_ratio}; '
          f'share of a {args.iter_ms:g} ms iteration; ratios measured in '
          'this run)')


if __name__ == '__main__':
    main()
