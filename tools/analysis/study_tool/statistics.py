"""Statistics of a study: the thesis' eq. 5.1 on mean curves, per seed and
with a bootstrap interval over seeds (scipy.stats.bootstrap)."""
from typing import Dict, List

import numpy as np

from . import speedup


def speedup_value(runs_base: List[dict], runs_method: List[dict],
                  metric: str) -> float:
    """Eq. 5.1 on the mean curves of two groups of runs; -1 (-100 %) when
    the method's mean never exceeds the baseline's peak."""
    res = speedup.speedups(dict(b=runs_base, m=runs_method), 'b', metric)['m']
    if res.get('speedup') is None:
        return -1.0
    return float(res['speedup'])


def bootstrap_interval(runs_base: List[dict], runs_method: List[dict],
                       metric: str, confidence: float = 0.9,
                       n_resamples: int = 2000, seed: int = 0):
    """Percentile bootstrap interval of the eq. 5.1 speed-up over seeds.

    Resamples the baseline's runs and the method's runs with replacement,
    independently, and recomputes the speed-up on the resampled mean curves
    (scipy.stats.bootstrap, ``paired=False``).

    Returns:
        (low, high, share_crossing): the interval and the share of resamples
        in which the method crosses the baseline's peak at all; ``None``s
        with fewer than 2 runs on either side.
    """
    from scipy.stats import bootstrap
    if len(runs_base) < 2 or len(runs_method) < 2:
        return None, None, None
    values, cache = [], {}

    def stat(ib, im):
        key = (tuple(sorted(ib.tolist())), tuple(sorted(im.tolist())))
        if key not in cache:  # the mean curves depend on the multisets only
            cache[key] = speedup_value([runs_base[int(i)] for i in key[0]],
                                       [runs_method[int(i)] for i in key[1]],
                                       metric)
        values.append(cache[key])
        return cache[key]

    res = bootstrap((np.arange(len(runs_base)), np.arange(len(runs_method))),
                    stat, paired=False, vectorized=False,
                    n_resamples=n_resamples, confidence_level=confidence,
                    method='percentile', random_state=seed)
    crossing = float(np.mean(np.asarray(values) > -1.0))
    return (float(res.confidence_interval.low),
            float(res.confidence_interval.high), crossing)


def run_peaks(runs: List[dict], metric: str) -> np.ndarray:
    """Each run's best value of ``metric``."""
    return np.array([max(r['val'][metric].values()) for r in runs
                     if r['val'].get(metric)])


def study_table(methods: Dict[str, List[dict]], baseline: str, metric: str,
                bootstrap: bool = True) -> List[dict]:
    """One row per method: peak (mean, std over seeds of each run's best),
    final value (mean, std), eq. 5.1 on the mean curves, the per-seed
    speed-ups (each seed's curve against the baseline run of the same seed,
    or the baseline's mean curve when there is none, in seed order; None
    where that seed never exceeds the peak: a mean of them would mix in a
    bound) and the bootstrap interval."""
    table = speedup.speedups(methods, baseline, metric)
    base_by_seed = {r['seed']: r for r in methods[baseline]}
    rows = []
    for name, runs in methods.items():
        peaks = run_peaks(runs, metric)
        finals = np.array([r['val'][metric][max(r['val'][metric])]
                           for r in runs if r['val'].get(metric)])
        res = table[name]
        row = dict(method=name, runs=len(runs), peak_mean=_mean(peaks),
                   peak_std=_std(peaks), final_mean=_mean(finals),
                   final_std=_std(finals), it_base=res.get('it_base'),
                   it_method=res.get('it_method'), speedup=res.get('speedup'),
                   speedup_time=res.get('speedup_time'), note=res.get('note'),
                   per_seed=None, ci_low=None, ci_high=None,
                   share_crossing=None)
        if name != baseline and 'peak' in res:
            per_seed = [speedup_value(
                [base_by_seed[r['seed']]] if r['seed'] in base_by_seed
                else methods[baseline], [r], metric) for r in runs]
            row['per_seed'] = [None if v == -1.0 else v for v in per_seed]
            if bootstrap:
                lo, hi, share = bootstrap_interval(methods[baseline], runs,
                                                   metric)
                row.update(ci_low=lo, ci_high=hi, share_crossing=share)
        rows.append(row)
    return rows


def _mean(a):
    return float(a.mean()) if len(a) else None


def _std(a):
    return float(a.std()) if len(a) else None
