"""Training throughput and peak memory: this detector vs stock mmdet FCOS.

Both use the same half-width ResNet34 backbone and the same real KITTI batch at
1280 x 384. Stock FCOS: mmdet's FCOSHead over a 3-level FPN (strides 8/16/32,
128 channels, 4 stacked GN convs, centerness, sigmoid focal loss, IoU loss).
Each model is measured in its own child process (so peak memory is its own),
one after the other in this one run, and the ratio is printed.

    python benchmarks/bench_train_throughput.py [--batch 2] [--iters 5]
        [--device cpu|cuda]

Peak memory: ``torch.cuda.max_memory_allocated`` on GPU; on CPU the child's
peak resident set size (``ru_maxrss``), which includes the Python runtime.
A child that fails stops the run with its exit code and the end of its
error output.
"""
import argparse
import json
import os.path as osp
import resource
import subprocess
import sys
import time

from common import REPO

CONFIG = osp.join(REPO, 'configs', 'thesis_detector', 'fcos_baseline_kitti_tiny.py')

STOCK_FCOS = dict(
    neck=dict(_delete_=True, type='FPN', in_channels=[64, 128, 256],
              out_channels=128, start_level=0, num_outs=3),
    bbox_head=dict(
        _delete_=True, type='FCOSHead', num_classes=4, in_channels=128,
        feat_channels=128, stacked_convs=4, strides=[8, 16, 32],
        regress_ranges=((-1, 64), (64, 128), (128, 1e8)),
        norm_cfg=dict(type='GN', num_groups=32, requires_grad=True),
        loss_cls=dict(type='FocalLoss', use_sigmoid=True, gamma=2.0,
                      alpha=0.25, loss_weight=1.0),
        loss_bbox=dict(type='IoULoss', loss_weight=1.0),
        loss_centerness=dict(type='CrossEntropyLoss', use_sigmoid=True,
                             loss_weight=1.0)))


def measure(which, batch, iters, device):
    import torch
    from common import model_and_batch

    _, model, data = model_and_batch(
        CONFIG, (1280, 384), batch, device,
        STOCK_FCOS if which == 'stock_fcos' else None)
    optim = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)

    def step():
        batch_data = model.data_preprocessor(data, training=True)
        losses = model(**batch_data, mode='loss')
        loss, _ = model.parse_losses(losses)
        optim.zero_grad()
        loss.backward()
        optim.step()

    def sync():
        if device == 'cuda':
            torch.cuda.synchronize()

    step()  # warm-up
    sync()
    if device == 'cuda':
        torch.cuda.reset_peak_memory_stats()
    t0 = time.perf_counter()
    for _ in range(iters):
        step()
    sync()
    seconds = time.perf_counter() - t0
    if device == 'cuda':
        peak_mb = torch.cuda.max_memory_allocated() / 2**20
    else:
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    params = sum(p.numel() for p in model.parameters())
    print(json.dumps(dict(model=which, imgs_per_s=batch * iters / seconds,
                          s_per_iter=seconds / iters, peak_mb=peak_mb,
                          params_m=params / 1e6)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--batch', type=int, default=2)
    parser.add_argument('--iters', type=int, default=5)
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--child', help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        measure(args.child, args.batch, args.iters, args.device)
        return
    results = {}
    for which in ('fcos_softmax_dla', 'stock_fcos'):
        child = subprocess.run(
            [sys.executable, __file__, '--child', which, '--batch',
             str(args.batch), '--iters', str(args.iters), '--device',
             args.device], capture_output=True, text=True)
        if child.returncode != 0:
            tail = '\n'.join(child.stderr.strip().splitlines()[-15:])
            sys.exit(f'{which} failed (exit {child.returncode}):\n{tail}')
        results[which] = json.loads(child.stdout.strip().splitlines()[-1])
    mem = 'peak GPU MB' if args.device == 'cuda' else 'peak RSS MB'
    print(f'1280x384, batch {args.batch}, {args.iters} timed iterations, '
          f'device {args.device}')
    print(f'{"model":<18}{"params (M)":>11}{"img/s":>9}{"s/iter":>9}'
          f'{mem:>14}')
    for r in results.values():
        print(f'{r["model"]:<18}{r["params_m"]:>11.2f}{r["imgs_per_s"]:>9.2f}'
              f'{r["s_per_iter"]:>9.2f}{r["peak_mb"]:>14.0f}')
    ours, stock = results['fcos_softmax_dla'], results['stock_fcos']
    print(f'throughput ratio (ours / stock FCOS): '
          f'{ours["imgs_per_s"] / stock["imgs_per_s"]:.2f}x; '
          f'memory ratio: {ours["peak_mb"] / stock["peak_mb"]:.2f}x')


if __name__ == '__main__':
    main()
