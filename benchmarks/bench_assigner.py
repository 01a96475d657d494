"""Target assignment of a whole batch at once against the per-image loop.

Issue 14: at batch 128 the batched ``DontCarePointAssigner.assign_batch``
(its ``'pairs'`` method, the CPU default; ``'dense'``, the GPU default, is
timed beside it) must be at least 10x faster than ``assign`` called image
by image, with the same targets: the per-image results stacked into the
same ``(B, P)`` tensors (what the head's per-image ``get_targets`` does);
the time of the ``assign`` calls alone is printed too. Real boxes: the
bundled KITTI training frames (don't-care boxes included) scaled to the
thesis' 1280 x 384, cycled to fill the batch; one stride-8 level (160 x 48
= 7,680 locations). All paths run in this process, in turn within each
round, on the device given (``cpu`` or ``cuda``); the figures are medians
over the rounds.

    python benchmarks/bench_assigner.py [--batches 1 8 32 128] [--reps 10]
        [--device cpu]
"""
import argparse
import os.path as osp
import statistics
import time

import torch
from mmengine.registry import init_default_scope
from mmengine.structures import InstanceData

import mmdet_is  # noqa: F401  (registers the components)
from mmdet.models.task_modules.prior_generators import MlvlPointGenerator
from mmdet.registry import DATASETS, TASK_UTILS

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
W, H, STRIDE = 1280, 384, 8


def kitti_boxes(device):
    init_default_scope('mmdet')
    ds = DATASETS.build(dict(
        type='KittiDataset', data_root=osp.join(REPO, 'data', 'kitti_tiny'),
        ann_file='train.txt', data_prefix=dict(img='images', label='labels'),
        pipeline=[]))
    out = []
    for i in range(len(ds)):
        info = ds.get_data_info(i)
        scale = torch.tensor([W / info['width'], H / info['height']] * 2)
        inst = info['instances']

        def boxes(keep):
            b = [x['bbox'] for x in inst if x['ignore_flag'] == keep]
            return (torch.tensor(b).view(-1, 4) * scale).to(device)

        labels = [x['bbox_label'] for x in inst if not x['ignore_flag']]
        out.append((InstanceData(bboxes=boxes(0), labels=torch.tensor(
            labels, dtype=torch.long, device=device)),
            InstanceData(bboxes=boxes(1))))
    return out


def timed_pair(fns, reps, device):
    """Median ms of each function over ``reps`` rounds, the functions called
    in turn within a round (a slow moment of the machine hits both)."""
    def once(fn):
        if device.startswith('cuda'):
            torch.cuda.synchronize()
        t0 = time.perf_counter()
        fn()
        if device.startswith('cuda'):
            torch.cuda.synchronize()
        return (time.perf_counter() - t0) * 1e3

    for fn in fns:
        fn()  # warm-up
    times = [[once(fn) for fn in fns] for _ in range(reps)]
    return [statistics.median(t) for t in zip(*times)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--batches', type=int, nargs='+',
                        default=[1, 8, 32, 128])
    parser.add_argument('--reps', type=int, default=10)
    parser.add_argument('--device', default='cpu')
    args = parser.parse_args()
    dev = args.device
    frames = kitti_boxes(dev)
    priors = MlvlPointGenerator([STRIDE]).grid_priors(
        [(H // STRIDE, W // STRIDE)], device=dev, with_stride=True)[0]
    sizes = [(H // STRIDE, W // STRIDE)]
    assigner = TASK_UTILS.build(dict(type='DontCarePointAssigner'))
    pred = InstanceData(priors=priors)
    print(f'{len(frames)} real KITTI frames at {W}x{H}, stride {STRIDE} '
          f'({len(priors)} locations), device {dev}, threads '
          f'{torch.get_num_threads()}')
    print(f'{"batch":>6}{"boxes":>7}{"per image":>11}{"+ stack":>10}'
          f'{"pairs":>9}{"dense":>9}{"speed-up pairs":>16}{"dense":>8}'
          f'{"pairs w/o stack":>17}{"same targets":>14}')
    print('(ms; speed-up = (per image + stack) / batched; assign_batch '
          "uses 'pairs' on the CPU, 'dense' on a GPU)")
    for batch in args.batches:
        sel = [frames[k % len(frames)] for k in range(batch)]
        gts, ignores = [g for g, _ in sel], [i for _, i in sel]

        def loop():
            return [assigner.assign(pred, g, i) for g, i in sel]

        def stacked():
            """The batched path's outputs, image by image (as the head's
            per-image ``get_targets`` and the tests' reference build them)."""
            results = loop()
            return [torch.stack([r.labels if name == 'labels' else
                                 r.get_extra_property(name) for r in results])
                    for name in ('labels', 'bbox_targets', 'care_mask',
                                 'obj_inds')]

        def pairs():
            return assigner.assign_batch(priors, sizes, gts, ignores, 'pairs')

        def dense():
            return assigner.assign_batch(priors, sizes, gts, ignores, 'dense')

        ms_loop, ms_stack, ms_pairs, ms_dense = timed_pair(
            [loop, stacked, pairs, dense], args.reps, dev)
        ref = stacked()
        same = all(torch.equal(r, g) for fn in (pairs, dense)
                   for r, g in zip(ref, fn()))
        boxes = sum(len(g) + len(i) for g, i in sel)
        print(f'{batch:>6}{boxes:>7}{ms_loop:>11.2f}{ms_stack:>10.2f}'
              f'{ms_pairs:>9.2f}{ms_dense:>9.2f}'
              f'{ms_stack / ms_pairs:>15.1f}x{ms_stack / ms_dense:>7.1f}x'
              f'{ms_loop / ms_pairs:>16.1f}x{str(same):>14}')


if __name__ == '__main__':
    main()
