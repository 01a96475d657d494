"""Whole-iteration overhead of importance sampling against uniform sampling.

One model, one real KITTI batch, iterations alternating between
A: uniform sampling (mmengine's DefaultSampler drawing the indices) and
B: importance sampling (the head's scoring in ``loss_by_feat``, the hook's
update and the ImportanceSampler's draw). Goal (issue 4): under 1%.

    python benchmarks/bench_is_overhead.py [--iters 20] [--scale 640 192]
        [--batch 4] [--heuristic uis] [--reduction mean] [--device cuda]

Printed: mean seconds per iteration of A and B and their ratio, and, timed
directly inside B, the seconds spent in scoring + update + draw per iteration
as a fraction of A (the precise figure: the A/B difference is within the
noise of a 2-core CPU). On a GPU every timed interval ends with
``torch.cuda.synchronize``, so the scoring's kernels are inside it.
"""
import argparse
import os.path as osp
import time

import numpy as np
import torch
from mmengine.dataset import DefaultSampler

from common import REPO, model_and_batch
from mmdet_is.importance import (ImportanceSampler, pop_importance,
                                 update_from_all_ranks)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--iters', type=int, default=20)
    parser.add_argument('--batch', type=int, default=4)
    parser.add_argument('--scale', type=int, nargs=2, default=[640, 192])
    parser.add_argument('--heuristic', default='uis')
    parser.add_argument('--reduction', default='mean')
    parser.add_argument('--device', default='cpu')
    args = parser.parse_args()
    cuda = args.device.startswith('cuda')

    def sync():
        if cuda:
            torch.cuda.synchronize()

    _, model, data = model_and_batch(
        osp.join(REPO, 'configs', 'fcos_uis_kitti_tiny.py'), args.scale,
        args.batch, args.device)
    dataset = range(81)  # the samplers only need the length
    head = model.bbox_head
    importance_cfg = dict(heuristic=args.heuristic, reduction=args.reduction)
    optim = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)

    uniform = iter(DefaultSampler(dataset, shuffle=True, seed=0))
    sampler = ImportanceSampler(dataset, batch_size=args.batch, seed=0)

    def step(importance):
        head.importance_cfg = importance_cfg if importance else None
        sync()
        t0 = time.perf_counter()
        if importance:
            idx = sampler.next_global_batch()
        else:
            idx = [next(uniform) for _ in range(args.batch)]
        draw = time.perf_counter() - t0
        batch = model.data_preprocessor(data, training=True)
        loss, _ = model.parse_losses(model(**batch, mode='loss'))
        optim.zero_grad()
        loss.backward()
        optim.step()
        extra = draw
        if importance:
            terms = pop_importance()
            sync()
            t1 = time.perf_counter()
            update_from_all_ranks(sampler, np.asarray(idx), terms['score'])
            extra += time.perf_counter() - t1 + terms['seconds']
        sync()
        return time.perf_counter() - t0, extra

    step(False), step(True)  # warm-up
    times = {False: [], True: []}
    extras = []
    for _ in range(args.iters):
        for importance in (False, True):
            seconds, extra = step(importance)
            times[importance].append(seconds)
            if importance:
                extras.append(extra)
    a, b = np.mean(times[False]), np.mean(times[True])
    print(f'{args.scale[0]}x{args.scale[1]}, batch {args.batch}, '
          f'{args.iters} iterations each, interleaved, {args.device}')
    print(f'A uniform (DefaultSampler):     {a:.4f} s/iter')
    print(f'B importance ({args.heuristic}, {args.reduction}): '
          f'{b:.4f} s/iter   B/A = {b / a:.4f}')
    print(f'scoring + update + draw inside B: {1e3 * np.mean(extras):.2f} '
          f'ms/iter = {100 * np.mean(extras) / a:.3f}% of A')


if __name__ == '__main__':
    main()
