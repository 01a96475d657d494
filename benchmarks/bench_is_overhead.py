"""Whole-iteration overhead of importance sampling, per detection head.

For each config: one model, copied (same initial weights), and one fixed
batch of real KITTI frames; iterations alternate between
A: the model as configured, indices drawn by mmengine's DefaultSampler, and
B: the copy with its head publishing importance ingredients
(:func:`mmdet_is.scoring.attach_ingredients`: natively or through the stock
head's adapter), scored as the hook has it scored (the sampler's
``score_batch``), the ImportanceSampler updated and drawing. Goal (issues 4 and 12): under 1 %.

    python benchmarks/bench_is_overhead.py [--iters 10] [--scale 640 192]
        [--batch 2] [--heuristic lis] [--reduction mean] [--device cuda]
        [--configs CONFIG ...]

Default configs: this project's detector (``fcos_uis_kitti_tiny.py``) and
the five stock-head configs of ``configs/stock_heads/`` (backbones without
ImageNet weights; the timing does not depend on them). Printed per config:
mean seconds per iteration of A and B and their ratio, and, timed directly
inside B, the milliseconds of ingredients + scoring + update + draw per
iteration as a share of A (the precise figure: the A/B difference is within
the noise of a 2-core CPU). On a GPU every timed interval ends with
``torch.cuda.synchronize`` and the ingredients' kernels are timed by the
CUDA events they carry.
"""
import argparse
import copy
import glob
import itertools
import os.path as osp
import time

import numpy as np
import torch
from mmengine.dataset import DefaultSampler

from common import REPO, model_and_batch

DEFAULT_CONFIGS = [osp.join(REPO, 'configs', 'thesis_detector', 'fcos_uis_kitti_tiny.py')] + \
    sorted(glob.glob(osp.join(REPO, 'configs', 'stock_heads', '*.py')))


def uniform_indices(sampler):
    """mmengine's DefaultSampler epoch after epoch (a batch may be larger
    than the 81 frames)."""
    for epoch in itertools.count():
        sampler.set_epoch(epoch)
        yield from sampler


def bench_config(path, args):
    """(A s/iter, B s/iter, inside-B extra s/iter) of one config."""
    from mmdet_is.datasets import ImportanceSampler
    from mmdet_is.engine import update_from_all_ranks
    from mmdet_is.scoring import attach_ingredients
    from mmdet_is.models.utils.importance_ingredients import elapsed_seconds
    cuda = args.device.startswith('cuda')

    def sync():
        if cuda:
            torch.cuda.synchronize()

    _, plain, data = model_and_batch(
        path, args.scale, args.batch, args.device,
        model_cfg=dict(backbone=dict(init_cfg=None)))
    scored = copy.deepcopy(plain)
    tap = attach_ingredients(scored.bbox_head)
    optims = {m: torch.optim.SGD(m.parameters(), lr=1e-4)
              for m in (plain, scored)}
    dataset = range(81)  # the samplers only need the length
    uniform = uniform_indices(DefaultSampler(dataset, shuffle=True, seed=0))
    sampler = ImportanceSampler(
        dataset, batch_size=args.batch, seed=0,
        score=dict(heuristic=args.heuristic, reduction=args.reduction))

    def step(importance):
        model = scored if importance else plain
        sync()
        t0 = time.perf_counter()
        if importance:
            idx = sampler.next_global_batch()[0]
        else:
            idx = [next(uniform) for _ in range(args.batch)]
        extra = time.perf_counter() - t0
        batch = model.data_preprocessor(data, training=True)
        loss, _ = model.parse_losses(model(**batch, mode='loss'))
        optims[model].zero_grad()
        loss.backward()
        optims[model].step()
        if importance:
            ingredients = tap.pop()
            sync()
            t1 = time.perf_counter()
            terms = sampler.score_batch(ingredients, np.asarray(idx))
            update_from_all_ranks(sampler, np.asarray(idx), terms['score'])
            sync()
            extra += time.perf_counter() - t1 + elapsed_seconds(ingredients)
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
    return np.mean(times[False]), np.mean(times[True]), np.mean(extras)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--iters', type=int, default=10)
    parser.add_argument('--batch', type=int, default=2)
    parser.add_argument('--scale', type=int, nargs=2, default=[640, 192])
    parser.add_argument('--heuristic', default='lis')
    parser.add_argument('--reduction', default='mean')
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--configs', nargs='+', default=DEFAULT_CONFIGS)
    args = parser.parse_args()
    print(f'{args.scale[0]}x{args.scale[1]}, batch {args.batch}, '
          f'{args.iters} iterations each, interleaved, {args.device}, '
          f'{args.heuristic} / {args.reduction}, '
          f'{torch.get_num_threads()} threads')
    print(f'{"config":48s} {"A s/it":>8s} {"B s/it":>8s} {"B/A":>7s} '
          f'{"inside B ms/it":>15s} {"% of A":>7s}')
    for path in args.configs:
        a, b, extra = bench_config(path, args)
        print(f'{osp.basename(path):48s} {a:8.4f} {b:8.4f} {b / a:7.4f} '
              f'{1e3 * extra:15.2f} {100 * extra / a:7.3f}')


if __name__ == '__main__':
    main()
