"""Speed-up in iterations of importance sampling over the baseline (eq. 5.1).

Reads mmengine's ``vis_data/scalars.json`` of several runs per method,
averages each method's validation curve per iteration across its runs, and
reports, on the mean curves (thesis chapter 5, eq. 5.1)::

    it_base   = iteration where the baseline's mean curve peaks
    it_method = first iteration where the method's mean curve exceeds it
    speedup   = it_base / it_method - 1

also in wall-clock time (mean cumulative training time at those iterations)
and in images seen (iterations x images per iteration, from the run's config
when it is in the work dir). It plots the mean curve with a band of one
standard deviation per method, one figure per metric group.

    python tools/analysis/speedup.py \\
        --run baseline=work_dirs/base_s0 --run baseline=work_dirs/base_s1 \\
        --run uis=work_dirs/uis_s0 --run uis=work_dirs/uis_s1 \\
        --baseline baseline --metric strat/AP50 --out-dir speedup/

Runs of different lengths are averaged over the runs that have a value at
each iteration (the count is reported); a run without validations is reported
and skipped; a method that never passes the baseline's peak is reported as
such.
"""
import argparse
import glob
import json
import math
import os
import os.path as osp
from collections import OrderedDict, defaultdict
from typing import Dict, List, Optional

import numpy as np

SIZES = ('small', 'medium', 'large')


def find_scalars(work_dir: str) -> str:
    """The newest ``*/vis_data/scalars.json`` under ``work_dir``.

    Raises:
        FileNotFoundError: none found (the message names ``work_dir``).
    """
    if osp.isfile(work_dir):
        return work_dir
    found = sorted(glob.glob(osp.join(work_dir, '*', 'vis_data',
                                      'scalars.json')))
    if not found:
        raise FileNotFoundError(
            f'no */vis_data/scalars.json under {work_dir} (is it an mmengine '
            'work dir?)')
    return found[-1]


def parse_records(records) -> dict:
    """Validation values by iteration and the training clock of mmengine
    ``scalars.json`` records (dicts with ``step``).

    Returns:
        dict: ``val`` {metric: {iteration: value}}, ``time`` {iteration:
        cumulative seconds of training (sum of logged ``time`` x interval)}.
    """
    val: Dict[str, Dict[int, float]] = defaultdict(dict)
    clock: Dict[int, float] = {}
    last_iter, elapsed = 0, 0.0
    for rec in records:
        step = int(rec['step'])
        if 'loss' in rec and 'time' in rec:  # a training record
            elapsed += rec['time'] * (step - last_iter)
            last_iter = step
            clock[step] = elapsed
        else:
            for key, value in rec.items():
                if key not in ('step', 'time', 'data_time') and \
                        isinstance(value, (int, float)):
                    val[key][step] = float(value)
    return dict(val=dict(val), time=clock)


def read_run(work_dir: str) -> dict:
    """Validation values by iteration and the training clock of one run.

    Returns:
        dict: :func:`parse_records` of its ``scalars.json``, plus ``batch``
        (images per iteration when a dumped config says it, else None) and
        ``path``.
    """
    path = find_scalars(work_dir)
    with open(path) as f:
        run = parse_records(json.loads(line) for line in f if line.strip())
    run.update(batch=_batch_size(path), path=path)
    return run


def _batch_size(scalars_path: str) -> Optional[int]:
    run_dir = osp.dirname(osp.dirname(scalars_path))
    configs = glob.glob(osp.join(run_dir, '*.py')) + glob.glob(
        osp.join(osp.dirname(run_dir), '*.py'))
    for cfg_path in configs:
        try:
            from mmengine.config import Config
            cfg = Config.fromfile(cfg_path)
            return int(cfg.train_dataloader.batch_size)
        except Exception:  # not a config we can read: no image counts
            continue
    return None


def mean_curve(runs: List[dict], metric: str):
    """Mean and standard deviation over runs, per iteration.

    Returns:
        (iters, mean, std, count) arrays; NaN values are left out.
    """
    by_iter = defaultdict(list)
    for run in runs:
        for it, v in run['val'].get(metric, {}).items():
            if not math.isnan(v):
                by_iter[it].append(v)
    iters = np.array(sorted(by_iter), dtype=np.int64)
    vals = [by_iter[i] for i in iters]
    return (iters, np.array([np.mean(v) for v in vals]),
            np.array([np.std(v) for v in vals]),
            np.array([len(v) for v in vals]))


def clock_at(runs: List[dict], iteration: int) -> Optional[float]:
    """Mean cumulative training seconds at ``iteration`` (nearest logged
    iteration at or before it), over the runs that logged time."""
    times = []
    for run in runs:
        logged = [i for i in run['time'] if i <= iteration]
        if logged:
            times.append(run['time'][max(logged)])
    return float(np.mean(times)) if times else None


def speedups(methods: Dict[str, List[dict]], baseline: str,
             metric: str) -> OrderedDict:
    """Eq. 5.1 for every method against ``baseline`` on ``metric``.

    Returns:
        OrderedDict method -> dict with ``peak`` (baseline's best mean),
        ``it_base``, ``it_method`` (None when never passed), ``speedup``,
        ``speedup_time``, ``speedup_images`` (None where not computable),
        ``runs`` and ``note``.

    Raises:
        KeyError: ``baseline`` not among ``methods``.
    """
    if baseline not in methods:
        raise KeyError(f'baseline method {baseline!r} not among the runs: '
                       f'{sorted(methods)}')
    b_iters, b_mean, _, _ = mean_curve(methods[baseline], metric)
    out = OrderedDict()
    if len(b_iters) == 0:
        for name in methods:
            out[name] = dict(note=f'baseline has no {metric} values')
        return out
    k = int(np.argmax(b_mean))
    peak, it_base = float(b_mean[k]), int(b_iters[k])
    t_base = clock_at(methods[baseline], it_base)
    for name, runs in methods.items():
        iters, mean, _, count = mean_curve(runs, metric)
        res = dict(peak=peak, it_base=it_base, it_method=None, speedup=None,
                   speedup_time=None, speedup_images=None, runs=len(runs),
                   note='')
        if len(iters) == 0:
            res['note'] = f'no {metric} values'
        elif name == baseline:
            res['note'] = 'baseline'
        else:
            passed = np.nonzero(mean > peak)[0]
            if len(passed) == 0:
                res['note'] = (f'never exceeds the baseline peak {peak:.4f} '
                               f'(best {mean.max():.4f} at '
                               f'{int(iters[np.argmax(mean)])})')
            else:
                it_m = int(iters[passed[0]])
                res.update(it_method=it_m, speedup=it_base / it_m - 1)
                t_m = clock_at(runs, it_m)
                if t_base and t_m:
                    res['speedup_time'] = t_base / t_m - 1
                b_batch = {r['batch'] for r in methods[baseline]}
                m_batch = {r['batch'] for r in runs}
                if len(b_batch) == 1 and len(m_batch) == 1 and \
                        None not in b_batch | m_batch:
                    res['speedup_images'] = (it_base * b_batch.pop()) / (
                        it_m * m_batch.pop()) - 1
                if count[passed[0]] < len(runs):
                    res['note'] = (f'mean of {count[passed[0]]} of '
                                   f'{len(runs)} runs at that iteration')
        out[name] = res
    return out


def format_speedups(table: OrderedDict, metric: str) -> str:
    """The speed-up table as text."""

    def pct(v):
        return '-' if v is None else f'{100 * v:+.0f}%'

    lines = [f'metric {metric}',
             f'{"method":<14}{"runs":>5}{"it_base":>9}{"it_method":>11}'
             f'{"speed-up":>10}{"(time)":>9}{"(images)":>10}  note']
    for name, r in table.items():
        if 'peak' not in r:
            lines.append(f'{name:<14}  {r["note"]}')
            continue
        lines.append(
            f'{name:<14}{r["runs"]:>5}{r["it_base"]:>9}'
            f'{"-" if r["it_method"] is None else r["it_method"]:>11}'
            f'{pct(r["speedup"]):>10}{pct(r["speedup_time"]):>9}'
            f'{pct(r["speedup_images"]):>10}  {r["note"]}')
    return '\n'.join(lines)


def plot_panels(methods: Dict[str, List[dict]], baseline: str,
                panels: List[List[str]], titles: List[List[str]],
                out_file: str, suptitle: str) -> None:
    """A grid of mean +- std curves, the baseline's peak and each method's
    crossing marked; one panel per metric."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    rows, cols = len(panels), len(panels[0])
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.2 * rows),
                             squeeze=False)
    colors = plt.rcParams['axes.prop_cycle'].by_key()['color']
    for r in range(rows):
        for c in range(cols):
            ax, metric = axes[r][c], panels[r][c]
            table = speedups(methods, baseline, metric)
            drawn = False
            for m, (name, runs) in enumerate(methods.items()):
                iters, mean, std, _ = mean_curve(runs, metric)
                if len(iters) == 0:
                    continue
                color = colors[m % len(colors)]
                drawn = True
                ax.plot(iters, mean, color=color,
                        label=f'{name} ({len(runs)} runs)')
                ax.fill_between(iters, mean - std, mean + std, color=color,
                                alpha=0.2)
                res = table.get(name, {})
                if res.get('it_method') is not None:
                    ax.axvline(res['it_method'], color=color, ls=':', lw=1)
                    ax.annotate(f'{100 * res["speedup"]:+.0f}%',
                                (res['it_method'], res['peak']),
                                color=color, fontsize=8,
                                textcoords='offset points', xytext=(3, 4))
            base = table.get(baseline, {})
            if 'peak' in base:
                ax.axhline(base['peak'], color='k', ls='--', lw=0.8)
                ax.axvline(base['it_base'], color='k', ls='--', lw=0.8)
            if not drawn:
                ax.text(0.5, 0.5, 'no ground truth', ha='center',
                        va='center', transform=ax.transAxes, color='gray')
            ax.set_title(titles[r][c], fontsize=9)
            ax.set_xlabel('iteration', fontsize=8)
            ax.tick_params(labelsize=7)
    axes[0][0].legend(fontsize=7)
    fig.suptitle(suptitle)
    fig.tight_layout()
    fig.savefig(out_file, dpi=110)
    plt.close(fig)


def class_names(methods: Dict[str, List[dict]], prefix: str) -> List[str]:
    """Classes with ``<prefix>/AP50_<class>_small`` keys, in first-seen order."""
    names = []
    for runs in methods.values():
        for run in runs:
            for key in run['val']:
                if key.startswith(f'{prefix}/AP50_') and key.endswith(
                        '_small') and key.count('_') >= 2:
                    name = key[len(prefix) + 6:-len('_small')]
                    if name and name not in names:
                        names.append(name)
    return names


def num_gt(methods: Dict[str, List[dict]], key: str) -> str:
    """The ground-truth count logged under ``key`` (the validation set is
    the same for every run), or '?' when no run logged it."""
    for runs in methods.values():
        for run in runs:
            if key in run['val']:
                return str(int(max(run['val'][key].values())))
    return '?'


def parse_runs(specs: List[str]) -> Dict[str, List[dict]]:
    """``method=work_dir`` strings -> {method: [run, ...]}; runs that cannot
    be read are reported and skipped."""
    methods: Dict[str, List[dict]] = OrderedDict()
    for spec in specs:
        if '=' not in spec:
            raise ValueError(f'--run expects METHOD=WORK_DIR, got {spec!r}')
        name, work_dir = spec.split('=', 1)
        try:
            run = read_run(work_dir)
        except FileNotFoundError as err:
            print(f'skipped: {err}')
            continue
        if not run['val']:
            print(f'skipped: {work_dir} has no validation values')
            continue
        methods.setdefault(name, []).append(run)
    return methods


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--run', action='append', required=True,
                        help='METHOD=WORK_DIR, repeat per run')
    parser.add_argument('--baseline', default='baseline')
    parser.add_argument('--metric', default='strat/AP50')
    parser.add_argument('--prefix', default='strat',
                        help='metric prefix of the stratified keys')
    parser.add_argument('--out-dir', default='speedup')
    args = parser.parse_args()
    methods = parse_runs(args.run)
    os.makedirs(args.out_dir, exist_ok=True)
    table = speedups(methods, args.baseline, args.metric)
    text = format_speedups(table, args.metric)
    p = args.prefix
    for size in SIZES:
        text += '\n\n' + format_speedups(
            speedups(methods, args.baseline, f'{p}/AP50_{size}'),
            f'{p}/AP50_{size}')
    print(text)
    with open(osp.join(args.out_dir, 'speedup.txt'), 'w') as f:
        f.write(text + '\n')
    plot_panels(methods, args.baseline, [[args.metric]], [[args.metric]],
                osp.join(args.out_dir, 'speedup.png'),
                f'{args.metric}: mean of runs, band = 1 std')
    plot_panels(methods, args.baseline,
                [[args.metric] + [f'{p}/AP50_{s}' for s in SIZES]],
                [['all'] + list(SIZES)],
                osp.join(args.out_dir, 'speedup_by_size.png'),
                'AP@0.5 by object size (fraction of the image area)')
    names = class_names(methods, p)
    if names:
        plot_panels(methods, args.baseline,
                    [[f'{p}/AP50_{n}_{s}' for s in SIZES] for n in names],
                    [[f'{n} {s}, {num_gt(methods, f"{p}/num_gt_{n}_{s}")} '
                      'objects' for s in SIZES] for n in names],
                    osp.join(args.out_dir, 'speedup_by_class_size.png'),
                    'AP@0.5 by class x size')
    print(f'plots and table written to {args.out_dir}/')


if __name__ == '__main__':
    main()
