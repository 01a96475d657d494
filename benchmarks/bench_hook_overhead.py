"""Per-iteration cost of the sampler and the hook, this tree against an
earlier commit, side by side in one run.

One iteration is what importance sampling adds to a training step outside
the model: the sampler draws a global batch (``importance`` policy by
threshold closeness, smoothing, multinomial draws from N images), the head's
ingredients of B images with P locations each are published,
``ImportanceSamplingHook.before_train_iter`` and ``after_train_iter`` run
(score, gather, table update, diagnostics every ``log_interval``) on a
stand-in runner. No model runs, so the figure is the sampler and hook alone.

The earlier commit (default ``b51b1d7``, the last one before the head
handed its ingredients over in a tap and the sampler split its checkpoint,
validation and diagnostics off) is checked out with ``git worktree`` under
``--ref-dir``; rounds alternate between the two trees, each round a fresh
process with the tree's ``mmdet_is`` first on ``sys.path``:

    python3 benchmarks/bench_hook_overhead.py [--ref b51b1d7] [--rounds 6]
        [--iters 300] [--images 10000] [--batch 16] [--locations 1200]

Printed: the median over rounds of the milliseconds per iteration of each
tree and their ratio (this tree / the earlier one).
"""
import argparse
import json
import os
import os.path as osp
import subprocess
import sys
import time

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))


def stand_in_runner(sampler, dataset, head):
    """What the hook reads of a Runner, and nothing else."""
    import tempfile
    from types import SimpleNamespace

    from mmengine.config import Config
    from mmengine.logging import MessageHub
    from torch.utils.data import BatchSampler
    loader = SimpleNamespace(
        sampler=sampler, dataset=dataset, batch_size=sampler.batch_size,
        batch_sampler=BatchSampler(sampler, sampler.batch_size, False))
    return SimpleNamespace(
        model=SimpleNamespace(bbox_head=head), train_dataloader=loader,
        cfg=Config(dict(optim_wrapper=dict(optimizer=dict(lr=1e-3)))),
        timestamp='bench', work_dir=tempfile.mkdtemp(prefix='bench_hook_'),
        train_loop=SimpleNamespace(iter=0), hooks=[], iter=0,
        max_iters=10**6, message_hub=MessageHub.get_instance('bench_hook'))


def measure(args) -> float:
    """Milliseconds per iteration of the tree whose mmdet_is is imported."""
    import numpy as np
    import torch
    from mmengine.structures import BaseDataElement

    import mmdet_is
    from mmdet_is.datasets import ImportanceSampler
    from mmdet_is.engine import ImportanceSamplingHook
    from mmdet_is.models.utils import importance_ingredients as contract
    assert osp.dirname(osp.dirname(mmdet_is.__file__)) == args.tree

    class Data:  # no get_data_info: no fingerprint, no class diagnostics
        def __len__(self):
            return args.images

    torch.manual_seed(0)
    dataset = Data()
    sampler = ImportanceSampler(dataset, args.batch, seed=0,
                                score=dict(heuristic='closeness'))
    hook = ImportanceSamplingHook(log_interval=50)
    if hasattr(contract, 'IngredientsTap'):  # the head owns a tap
        tap = contract.IngredientsTap()
        head = type('Head', (), dict(attach_importance_tap=lambda _: tap))()
        publish = tap.publish
    else:  # the trees before: MessageHub runtime info
        head = type('Head', (), dict(native_importance_ingredients=True))()
        publish = contract.publish_ingredients
    runner = stand_in_runner(sampler, dataset, head)
    b, p = args.batch, args.locations
    objects = torch.randint(-1, 6, (b, p))
    ingredients = dict(a=torch.rand(b, p), fg=torch.rand(b, p),
                       iou=torch.rand(b, p), giou=torch.rand(b, p) * 2 - 1,
                       care=torch.rand(b, p) > 0.05, obj_inds=objects)
    hook.before_train(runner)
    stream = iter(())

    def step(i):
        nonlocal stream
        idx = [next(stream, None) for _ in range(b)]
        if idx[0] is None:  # an epoch ended: the loader starts the next
            stream = iter(sampler)
            idx = [next(stream) for _ in range(b)]
        samples = [BaseDataElement(metainfo=dict(sample_idx=int(j)))
                   for j in idx]
        runner.iter = i
        runner.message_hub.update_scalar('train/loss', 1.0)
        hook.before_train_iter(runner, i, dict(data_samples=samples))
        publish(ingredients, 6, contract.start_timer(torch.device('cpu')))
        hook.after_train_iter(runner, i, dict(data_samples=samples))

    for i in range(args.iters // 10):  # warm-up, the first pass included
        step(i)
    t0 = time.perf_counter()
    for i in range(args.iters):
        step(args.iters + i)
    seconds = time.perf_counter() - t0
    assert np.isfinite(sampler.table[:]).all()
    return 1e3 * seconds / args.iters


def checkout(ref: str, ref_dir: str) -> str:
    """``ref`` checked out (detached) at ``ref_dir``, once."""
    if not osp.isdir(osp.join(ref_dir, 'mmdet_is')):
        subprocess.run(['git', '-C', REPO, 'worktree', 'add', '--detach',
                        '--force', ref_dir, ref], check=True,
                       stdout=subprocess.DEVNULL)
    return ref_dir


def one_round(tree: str, args) -> float:
    env = dict(os.environ, PYTHONPATH=tree, OMP_NUM_THREADS='1')
    out = subprocess.run(
        [sys.executable, __file__, '--measure', '--tree', tree,
         '--iters', str(args.iters), '--images', str(args.images),
         '--batch', str(args.batch), '--locations', str(args.locations)],
        env=env, check=True, capture_output=True, text=True, cwd=tree)
    return json.loads(out.stdout.strip().splitlines()[-1])['ms']


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--ref', default='b51b1d7')
    parser.add_argument('--ref-dir', default='/tmp/mmdet_is_ref')
    parser.add_argument('--rounds', type=int, default=6)
    parser.add_argument('--iters', type=int, default=300)
    parser.add_argument('--images', type=int, default=10000)
    parser.add_argument('--batch', type=int, default=16)
    parser.add_argument('--locations', type=int, default=1200)
    parser.add_argument('--measure', action='store_true',
                        help=argparse.SUPPRESS)
    parser.add_argument('--tree', help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(dict(ms=measure(args))))
        return
    import numpy as np
    trees = dict(ref=checkout(args.ref, args.ref_dir), this=REPO)
    times = dict(ref=[], this=[])
    for _ in range(args.rounds):
        for name, tree in trees.items():
            times[name].append(one_round(tree, args))
    ref, this = (float(np.median(times[k])) for k in ('ref', 'this'))
    print(f'N {args.images}, global batch {args.batch}, {args.locations} '
          f'locations an image, {args.iters} iterations a round, '
          f'{args.rounds} rounds alternating, 1 thread')
    print(f'{"tree":<28}{"ms/iter (median)":>18}{"rounds":>40}')
    for name, label in (('ref', f'{args.ref} (before)'),
                        ('this', 'this tree')):
        rounds = ' '.join(f'{t:.3f}' for t in times[name])
        print(f'{label:<28}{np.median(times[name]):>18.3f}   {rounds}')
    print(f'ratio this / before: {this / ref:.3f}')


if __name__ == '__main__':
    main()
