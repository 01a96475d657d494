"""Target assignment of a whole batch at once against the per-image loop.

Issue 14: at batch 128 the batched ``DontCarePointAssigner.assign_batch``
must be at least 10x faster than ``assign`` called image by image, with the
same targets. Real boxes: the bundled KITTI training frames (don't-care
boxes included) scaled to the thesis' 1280 x 384, cycled to fill the batch;
one stride-8 level (160 x 48 = 7,680 locations). Both paths run in this
process, interleaved, on the device given (``cpu`` or ``cuda``).

    python benchmarks/bench_assigner.py [--batches 1 8 32 128] [--reps 5]
        [--device cpu]
"""
import argparse
import os.path as osp
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


def timed(fn, reps, device):
    fn()  # warm-up
    if device.startswith('cuda'):
        torch.cuda.synchronize()
    t0 = time.perf_counter()
    for _ in range(reps):
        fn()
    if device.startswith('cuda'):
        torch.cuda.synchronize()
    return (time.perf_counter() - t0) / reps * 1e3


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--batches', type=int, nargs='+',
                        default=[1, 8, 32, 128])
    parser.add_argument('--reps', type=int, default=5)
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
    print(f'{"batch":>6}{"boxes":>7}{"per image ms":>14}{"batched ms":>12}'
          f'{"speed-up":>10}{"same targets":>14}')
    for batch in args.batches:
        sel = [frames[k % len(frames)] for k in range(batch)]
        gts, ignores = [g for g, _ in sel], [i for _, i in sel]

        def loop():
            return [assigner.assign(pred, g, i) for g, i in sel]

        def batched():
            return assigner.assign_batch(priors, sizes, gts, ignores)

        ms_loop = timed(loop, args.reps, dev)
        ms_batch = timed(batched, args.reps, dev)
        ref = loop()
        got = batched()
        same = all(
            torch.equal(torch.stack([getattr(r, 'labels') if k == 0 else
                                     r.get_extra_property(name)
                                     for r in ref]), got[k])
            for k, name in enumerate(('labels', 'bbox_targets', 'care_mask',
                                      'obj_inds')))
        boxes = sum(len(g) + len(i) for g, i in sel)
        print(f'{batch:>6}{boxes:>7}{ms_loop:>14.2f}{ms_batch:>12.2f}'
              f'{ms_loop / ms_batch:>9.1f}x{str(same):>14}')


if __name__ == '__main__':
    main()
