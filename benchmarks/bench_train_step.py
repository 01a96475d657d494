"""Where one training step's time goes, for any config, CPU or CUDA.

One fixed in-memory batch of real KITTI frames (no data loading), the
config's model and Adam; each part timed on its own (with
``torch.cuda.synchronize`` around it on a GPU), and the whole step timed
without those synchronisations. Two columns measured side by side in one
run, iterations interleaved: the old path (targets assigned image by image)
and the new one (``assign_batch``, the whole batch at once), and their
ratio. Issue 14's table, at the thesis' batch 128 and 1280 x 384 on a GPU:

    python benchmarks/bench_train_step.py configs/thesis_detector/fcos_uis_kitti_tiny.py \\
        --batch 128 --scale 1280 384 --device cuda [--bf16] [--channels-last]

Parts: data_preprocessor (stack, pad, normalise, copy to the device),
backbone + neck, head forward, loss_by_feat (of which get_targets and the
importance ingredients the head publishes), the hook's scoring
(``image_scores``, UIS), backward + optimiser step. On a GPU it then counts
the synchronising CUDA calls of one untimed step per path, by source line
(``torch.cuda.set_sync_debug_mode``).
"""
import argparse
import contextlib
import time
import warnings
from collections import Counter, defaultdict

import numpy as np
import torch

from common import REPO, model_and_batch

PARTS = ('data_preprocessor', 'backbone + neck', 'head forward',
         'loss_by_feat', '  of which get_targets', '  of which ingredients',
         'image_scores (hook)', 'backward + optimiser',
         'whole step (no inner syncs)')


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', nargs='?',
                        default=f'{REPO}/configs/thesis_detector/fcos_uis_kitti_tiny.py')
    parser.add_argument('--batch', type=int, default=4)
    parser.add_argument('--scale', type=int, nargs=2, default=[640, 192])
    parser.add_argument('--iters', type=int, default=5)
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--bf16', action='store_true',
                        help='forward and loss under bf16 autocast')
    parser.add_argument('--channels-last', action='store_true')
    args = parser.parse_args()
    dev = args.device
    cuda = dev.startswith('cuda')
    _, model, data = model_and_batch(args.config, args.scale, args.batch,
                                     dev)
    if args.channels_last:
        model = model.to(memory_format=torch.channels_last)
    head = model.bbox_head
    optim = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    from mmdet.models.utils import unpack_gt_instances
    from mmdet_is.scoring import attach_ingredients, image_scores
    from mmdet_is.models.utils.importance_ingredients import elapsed_seconds
    tap = attach_ingredients(head)

    def sync():
        if cuda:
            torch.cuda.synchronize()

    times = {old: defaultdict(list) for old in (True, False)}
    current = {}

    @contextlib.contextmanager
    def part(name):
        sync()
        t0 = time.perf_counter()
        yield
        sync()
        current[name] = current.get(name, 0.0) + time.perf_counter() - t0

    def timed(fn, name):
        def wrapper(*a, **kw):
            with part(name):
                return fn(*a, **kw)
        return wrapper

    get_targets = head.get_targets
    autocast = (torch.autocast(dev.split(':')[0], dtype=torch.bfloat16)
                if args.bf16 else contextlib.nullcontext())

    def step(inner_syncs):
        with part('data_preprocessor') if inner_syncs else \
                contextlib.nullcontext():
            batch = model.data_preprocessor(data, training=True)
        inputs = batch['inputs']
        if args.channels_last:
            inputs = inputs.contiguous(memory_format=torch.channels_last)
        gts, ignores, metas = unpack_gt_instances(batch['data_samples'])
        with autocast:
            with part('backbone + neck') if inner_syncs else \
                    contextlib.nullcontext():
                feats = model.extract_feat(inputs)
            with part('head forward') if inner_syncs else \
                    contextlib.nullcontext():
                outs = head(feats)
            with part('loss_by_feat') if inner_syncs else \
                    contextlib.nullcontext():
                losses = head.loss_by_feat(*outs, gts, metas, ignores)
        ingredients = tap.pop()
        if inner_syncs:
            current['  of which ingredients'] = elapsed_seconds(ingredients)
        with part('image_scores (hook)') if inner_syncs else \
                contextlib.nullcontext():
            image_scores(ingredients, heuristic='uis', reduction='mean')
        with part('backward + optimiser') if inner_syncs else \
                contextlib.nullcontext():
            loss, _ = model.parse_losses(losses)
            optim.zero_grad()
            loss.backward()
            optim.step()

    def run(old):
        head.batched_targets = not old
        current.clear()
        head.get_targets = timed(get_targets, '  of which get_targets')
        step(True)
        head.get_targets = get_targets
        sync()
        t0 = time.perf_counter()
        step(False)
        sync()
        current['whole step (no inner syncs)'] = time.perf_counter() - t0
        for name, v in current.items():
            times[old][name].append(v)

    run(True), run(False)  # warm-up
    for k in range(args.iters):
        run(True), run(False)
    print(f'{args.config}: batch {args.batch}, {args.scale[0]}x'
          f'{args.scale[1]}, device {dev}, bf16 {args.bf16}, channels_last '
          f'{args.channels_last}, {args.iters} interleaved iterations, '
          f'threads {torch.get_num_threads()}')
    print(f'{"part":<30}{"per-image targets ms":>22}{"batched ms":>12}'
          f'{"old / new":>11}')
    for name in PARTS:
        old, new = (np.mean(times[o].get(name, [0.0])) * 1e3
                    for o in (True, False))
        ratio = f'{old / new:>10.2f}x' if new > 0 else f'{"-":>11}'
        print(f'{name:<30}{old:>22.1f}{new:>12.1f}{ratio}')
    old, new = (np.mean(times[o]['whole step (no inner syncs)'])
                for o in (True, False))
    print(f'images per second (whole step): per-image targets '
          f'{args.batch / old:.1f}, batched {args.batch / new:.1f}')
    if cuda:
        for old in (True, False):
            head.batched_targets = not old
            sites = synchronisations(lambda: step(False))
            print(f'host-device synchronisations in one step, '
                  f'{"per-image" if old else "batched"} targets: '
                  f'{sum(sites.values())}')
            for site, n in sites.most_common(12):
                print(f'  {n:>5}  {site}')


def synchronisations(fn):
    """Call ``fn`` under ``torch.cuda.set_sync_debug_mode('warn')``: how
    many synchronising CUDA calls it made, by the Python line that made
    them (file relative to the site-packages or this repository)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        torch.cuda.set_sync_debug_mode('warn')
        try:
            fn()
            torch.cuda.synchronize()
        finally:
            torch.cuda.set_sync_debug_mode(0)
    return Counter(
        f'{w.filename.split("site-packages/")[-1].replace(REPO + "/", "")}'
        f':{w.lineno}' for w in caught
        if 'synchroniz' in str(w.message).lower())


if __name__ == '__main__':
    main()
