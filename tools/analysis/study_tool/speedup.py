"""Speed-up in iterations over the baseline, the thesis' eq. 5.1.

Of several runs per method (their ``scalars.json`` or curve files,
:mod:`.curves`), averages each method's validation curve per iteration
across its runs, and reports, on the mean curves (thesis chapter 5, eq. 5.1)::

    it_base   = iteration where the baseline's mean curve peaks
    it_method = first iteration where the method's mean curve exceeds it
    speedup   = it_base / it_method - 1

also in wall-clock time (mean cumulative training time at those iterations)
and in images seen (iterations x images per iteration, from the run's config
when it is in the work dir). It plots the mean curve with a band of one
standard deviation per method, one figure per metric group
(:func:`~.plots.plot_panels`; the command line:
``tools/analysis/speedup.py``).

Runs of different lengths are averaged over the runs that have a value at
each iteration (the count is reported); a run without validations is reported
and skipped; a method that never passes the baseline's peak is reported as
such.
"""
from collections import OrderedDict
from typing import Dict, List, Optional

import numpy as np

from .curves import mean_curve


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
    base = mean_curve(methods[baseline], metric)
    b_iters, b_mean = base['steps'], base['mean']
    out = OrderedDict()
    if len(b_iters) == 0:
        for name in methods:
            out[name] = dict(note=f'baseline has no {metric} values')
        return out
    k = int(np.argmax(b_mean))
    peak, it_base = float(b_mean[k]), int(b_iters[k])
    t_base = clock_at(methods[baseline], it_base)
    for name, runs in methods.items():
        curve = mean_curve(runs, metric)
        iters, mean, count = curve['steps'], curve['mean'], curve['count']
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


def class_names(methods: Dict[str, List[dict]], prefix: str) -> List[str]:
    """Classes with ``<prefix>/AP50_<class>_small`` keys, in first-seen
    order."""
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
