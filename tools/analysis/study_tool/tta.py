"""Time-to-accuracy: images processed until a run reaches a target accuracy.

MLPerf Training's measure, counted in images (what a selection rule saves)
and in training wall-clock. For a study's runs (the curve files of
``study.py``, read by :func:`~.curves.read_curve`), per method and
metric:

    target        = mean over the baseline's seeds of each run's final value
                    (its last validation, under its complete schedule)
    mean curve    = per validation, the mean over the method's seeds of the
                    metric, at the mean images processed there
    images        = images processed at the first validation where the mean
                    curve is >= target (None: never)
    saving        = images(baseline) / images(method): 1.4x = 1.4 times
                    fewer images than uniform to the same accuracy

Each seed is paired with the baseline run of the same seed: its target is
that baseline run's final value, its saving that run's images to its own
final value over the method run's images to it ("-" where the baseline
has no run of that seed). The bootstrap interval
rests on the mean curves: it resamples the seeds (jointly for the baseline
and the method when both ran the same seeds, else each on its own),
recomputes the target and both mean curves, and takes the percentile
interval of the saving (a resample that never reaches the target counts as
0x). Runs without recorded ``images_processed`` (older curves) count
``iteration x batch``.
"""
from typing import Dict, List, Optional

import numpy as np

from .curves import final_value, mean_curve, points


def first_reaching(images: np.ndarray, values: np.ndarray, target: float,
                   extra: Optional[np.ndarray] = None):
    """Images (and ``extra``, e.g. seconds) at the first point with
    ``value >= target``; None (and None) when never."""
    hit = np.flatnonzero(values >= target - 1e-12)
    if not len(hit):
        return (None, None) if extra is not None else None
    k = hit[0]
    if extra is None:
        return float(images[k])
    return float(images[k]), (None if np.isnan(extra[k]) else
                              float(extra[k]))


def saving(base_runs: List[dict], runs: List[dict], metric: str) -> float:
    """images(baseline) / images(method) to the baseline's mean final value
    on the mean curves; 0 when the method never reaches it."""
    target = float(np.mean([final_value(r, metric) for r in base_runs]))
    base, curve = mean_curve(base_runs, metric), mean_curve(runs, metric)
    b = first_reaching(base['images'], base['mean'], target)
    m = first_reaching(curve['images'], curve['mean'], target)
    if b is None:  # runs of unequal length: the mean never gets there
        return float('nan')
    return 0.0 if m is None else b / m


def paired_savings(base_runs: List[dict], runs: List[dict],
                   metric: str) -> List[Optional[float]]:
    """Per method run (in order): its saving against the baseline run of
    the same seed; None: it never reaches that run's final value; NaN: no
    baseline run has that seed (a reference arm that ran fewer seeds)."""
    base_by_seed = {r.get('seed'): r for r in base_runs}
    out = []
    for run in runs:
        base = base_by_seed.get(run.get('seed'))
        if base is None:
            out.append(float('nan'))
            continue
        target = final_value(base, metric)
        _, b_img, b_val, _ = points(base, metric)
        _, m_img, m_val, _ = points(run, metric)
        b = first_reaching(b_img, b_val, target)
        m = first_reaching(m_img, m_val, target)
        out.append(None if m is None or b is None else b / m)
    return out


def bootstrap_saving(base_runs: List[dict], runs: List[dict], metric: str,
                     confidence: float = 0.9, n_resamples: int = 2000,
                     seed: int = 0):
    """Percentile bootstrap interval of :func:`saving` over seeds
    (scipy.stats.bootstrap; paired when both ran the same seeds).

    Returns:
        ``(low, high, paired)``; ``(None, None, paired)`` with fewer than
        2 runs on either side.
    """
    from scipy.stats import bootstrap
    seeds_b = [r.get('seed') for r in base_runs]
    seeds_m = [r.get('seed') for r in runs]
    paired = sorted(seeds_b) == sorted(seeds_m) and None not in seeds_b
    if len(base_runs) < 2 or len(runs) < 2:
        return None, None, paired
    cache = {}
    if paired:
        by_seed = {r['seed']: r for r in runs}
        runs = [by_seed[s] for s in seeds_b]

    def stat(ib, im):
        key = (tuple(sorted(ib.tolist())), tuple(sorted(im.tolist())))
        if key not in cache:
            cache[key] = saving([base_runs[int(i)] for i in key[0]],
                                [runs[int(i)] for i in key[1]], metric)
        return cache[key]

    data = (np.arange(len(base_runs)), np.arange(len(runs)))
    res = bootstrap(data, stat, paired=paired, vectorized=False,
                    n_resamples=n_resamples, confidence_level=confidence,
                    method='percentile', random_state=seed)
    return (float(res.confidence_interval.low),
            float(res.confidence_interval.high), paired)


def tta_table(methods: Dict[str, List[dict]], baseline: str, metric: str,
              bootstrap: bool = True) -> List[dict]:
    """One row per method with values of ``metric`` (module docstring;
    none when the baseline has none). ``baseline`` may be any method: a
    shorter schedule as the reference asks how many images each method
    needs for what that schedule reaches. Keys: ``target``, ``images``
    (to the target, mean curve), ``seconds`` (training wall-clock there,
    mean), ``saving``, ``per_seed`` (paired), ``ci_low``/``ci_high``,
    ``paired``, ``final_mean``/``final_std``, ``total_images`` (at the last
    validation, mean curve).

    Raises:
        KeyError: ``baseline`` has no runs.
    """
    if baseline not in methods:
        raise KeyError(f'baseline {baseline!r} has no runs; methods with '
                       f'runs: {sorted(methods)}')
    methods = {name: [r for r in runs if final_value(r, metric) is not None]
               for name, runs in methods.items()}
    base_runs = methods[baseline]
    if not base_runs:
        return []
    target = float(np.mean([final_value(r, metric) for r in base_runs]))
    base = mean_curve(base_runs, metric)
    b_images = first_reaching(base['images'], base['mean'], target)
    rows = []
    for name, runs in methods.items():
        if not runs:
            continue
        curve = mean_curve(runs, metric)
        img = curve['images']
        images, seconds = first_reaching(img, curve['mean'], target,
                                         curve['seconds'])
        finals = np.array([final_value(r, metric) for r in runs])
        row = dict(method=name, runs=len(runs), seeds=[r.get('seed')
                                                       for r in runs],
                   target=target, images=images, seconds=seconds,
                   saving=None if images is None or b_images is None else
                   b_images / images,
                   final_mean=float(finals.mean()),
                   final_std=float(finals.std()),
                   total_images=float(img[-1]) if len(img) else None,
                   per_seed=None, ci_low=None, ci_high=None, paired=None)
        if name != baseline:
            row['per_seed'] = paired_savings(base_runs, runs, metric)
            if bootstrap:
                row['ci_low'], row['ci_high'], row['paired'] = \
                    bootstrap_saving(base_runs, runs, metric)
        rows.append(row)
    return rows


def format_tta(rows: List[dict], metric: str,
               reference: str = 'baseline') -> str:
    """The time-to-accuracy table as Markdown against the ``reference``
    method of :func:`tta_table` (one line when it has no values of
    ``metric``)."""
    if not rows:
        return f'`{metric}`: no values of the baseline'

    def x(v):  # None, or 0 from a bootstrap resample: never reached
        if v is not None and np.isnan(v):
            return '-'  # no run of that seed to pair with
        return 'never' if not v else f'{v:.2f}x'

    def kimg(v):
        return 'never' if v is None else f'{v / 1e3:,.1f}k'

    target = rows[0]['target'] if rows else float('nan')
    lines = [
        f'`{metric}`: target = the final value of {reference}, mean over '
        f'its seeds = {target:.4f}', '',
        f'| method | runs | images to the target | saving vs {reference} | '
        'each seed (paired) | 90 % bootstrap | final (mean ± std) | '
        'images in all | training time to the target |', '|---' * 9 + '|'
    ]
    for r in rows:
        seeds = '-' if r['per_seed'] is None else ', '.join(
            x(v) for v in r['per_seed'])
        ci = '-' if r['ci_low'] is None else (
            f'[{x(r["ci_low"])}, {x(r["ci_high"])}]' +
            ('' if r['paired'] else ' (unpaired)'))
        sec = '-' if r['seconds'] is None else f'{r["seconds"] / 60:.1f} min'
        lines.append(
            f'| {r["method"]} | {r["runs"]} | {kimg(r["images"])} | '
            f'{"-" if r["method"] == reference else x(r["saving"])} '
            f'| {seeds} | {ci} | {r["final_mean"]:.3f} ± '
            f'{r["final_std"]:.3f} | {kimg(r["total_images"])} | {sec} |')
    return '\n'.join(lines)
