"""Budget curves: what a complete schedule of each length reaches, against
the images it processes, and what choosing images saves at each budget.

A study names its families of arms, one method at several budgets each
(``families = dict(uniform=['uniform_e16', 'uniform_e32'], ...)``); every
arm is a complete schedule (its own warm-up and full decay). One point per
arm: the images it processes (its last ``images_processed``, mean over
seeds), its final value of the metric (mean and std over seeds) and its
wall time (scoring included).

The saving of a point against a reference family (uniform; the random
subset) is the images the reference's budget curve needs for the point's
accuracy over the point's images. The reference curve is monotone: the
isotonic (pool-adjacent-violators) fit of its points' means, weighted by
their seeds (a longer schedule that ends lower carries no information
about needing more images), linear between its points and never
extrapolated: an accuracy above the curve's end gives a lower bound on
the saving (``>=``), one below its first point an upper bound (``<=``).
Two intervals: a percentile bootstrap over seeds (every arm's seeds drawn
again independently, the reference curve refitted) and a t-based
(Welch) interval: the point's mean accuracy +- t x SE, SE combining the
point's and the reference's seed spread at that accuracy, with the
Welch-Satterthwaite degrees of freedom, mapped through the reference
curve.

Beside them, paired by seed: each run against the reference curve fitted
to the runs of its own seed (the same initial weights), which removes a
seed's effect shared by every arm; a reading beside the pooled measure,
with a paired t interval of the mean difference.
"""
from typing import Dict, List, Optional, Tuple

import numpy as np

from .curves import final_value, images_processed

#: accuracies closer than this are equal (the pooled means of the
#: monotone fit carry float rounding)
TOL = 1e-9


def schedule_points(methods: Dict[str, List[dict]],
                    families: Dict[str, List[str]],
                    metric: str) -> Dict[str, List[dict]]:
    """Per family, one point per arm that has finished runs, fewest
    images first: ``arm``, ``images`` (mean over seeds), ``final`` and
    ``final_std`` (over seeds), ``finals`` by seed, ``wall_s`` (mean)."""
    out = {}
    for family, arms in families.items():
        points = []
        for arm in arms:
            runs = [r for r in methods.get(arm, [])
                    if final_value(r, metric) is not None]
            if not runs:
                continue
            finals = {r['seed']: final_value(r, metric) for r in runs}
            walls = [r['wall_s'] for r in runs if r.get('wall_s')]
            points.append(dict(
                arm=arm, images=float(np.mean([images_processed(r)
                                               for r in runs])),
                final=float(np.mean(list(finals.values()))),
                final_std=float(np.std(list(finals.values()))),
                finals=finals,
                wall_s=float(np.mean(walls)) if walls else None))
        if points:
            out[family] = sorted(points, key=lambda p: p['images'])
    return out


def monotone_curve(points: List[dict]) -> Tuple[np.ndarray, np.ndarray]:
    """``(images, accuracy)`` of a family's monotone budget curve: the
    isotonic fit (scipy's pool adjacent violators) of its points' mean
    finals in the order of their images, weighted by their seeds."""
    from scipy.optimize import isotonic_regression
    images = np.array([p['images'] for p in points], float)
    finals = np.array([p['final'] for p in points], float)
    weights = np.array([len(p['finals']) for p in points], float)
    return images, isotonic_regression(finals, weights=weights).x


def images_for(curve: Tuple[np.ndarray, np.ndarray],
               accuracy: float) -> Tuple[float, str]:
    """The images the monotone ``curve`` needs for ``accuracy``, linear
    between its points: ``(images, '=')``; ``(its last images, '>')``
    when ``accuracy`` is above its end (it needs more than it ran), and
    ``(its first images, '<')`` when below its first point."""
    images, acc = curve
    if accuracy > acc[-1] + TOL:
        return float(images[-1]), '>'
    if accuracy < acc[0] - TOL:
        return float(images[0]), '<'
    k = int(np.argmax(acc >= accuracy - TOL))  # the first point at or above
    if k == 0 or acc[k] - acc[k - 1] <= TOL:
        return float(images[k]), '='
    frac = (accuracy - acc[k - 1]) / (acc[k] - acc[k - 1])
    return float(images[k - 1] + frac * (images[k] - images[k - 1])), '='


def accuracy_at(curve: Tuple[np.ndarray, np.ndarray],
                images: float) -> Optional[float]:
    """The monotone curve's accuracy at ``images`` (linear between its
    points), None outside its range."""
    xs, acc = curve
    if images < xs[0] or images > xs[-1]:
        return None
    return float(np.interp(images, xs, acc))


def saving(point: dict, reference: List[dict]) -> Tuple[float, str]:
    """``(images the reference needs for the point's accuracy / the
    point's images, relation)``; relation ``'='``, ``'>='`` (a lower
    bound: the point beats the reference's longest schedule) or ``'<='``
    (an upper bound: it is below the reference's shortest)."""
    return _saving_on(monotone_curve(reference), point['final'],
                      point['images'])


def _saving_on(curve: Tuple[np.ndarray, np.ndarray], final: float,
               images: float) -> Tuple[float, str]:
    """:func:`saving` of a final value reached in ``images`` on a fitted
    monotone ``curve``."""
    needed, how = images_for(curve, final)
    return needed / images, {'=': '=', '>': '>=', '<': '<='}[how]


def _resampled(point: dict, rng: np.random.Generator) -> dict:
    """The point with its seeds drawn again with replacement."""
    finals = list(point['finals'].values())
    pick = rng.integers(len(finals), size=len(finals))
    return dict(point, final=float(np.mean([finals[i] for i in pick])))


def bootstrap_saving(point: dict, reference: List[dict],
                     n_resamples: int = 2000, confidence: float = 0.9,
                     seed: int = 0) -> Optional[Tuple[float, float]]:
    """The percentile interval of :func:`saving` over seed resamples (the
    point's and each reference arm's seeds drawn independently; a bound
    counts as its value). None when the point or a reference arm has a
    single seed: resampling one seed would give a zero-width interval."""
    if min(len(p['finals']) for p in [point, *reference]) < 2:
        return None
    rng = np.random.default_rng(seed)
    values = [saving(_resampled(point, rng),
                     [_resampled(p, rng) for p in reference])[0]
              for _ in range(n_resamples)]
    alpha = (1 - confidence) / 2
    return (float(np.quantile(values, alpha)),
            float(np.quantile(values, 1 - alpha)))


def t_saving(point: dict, reference: List[dict],
             confidence: float = 0.9) -> Optional[Tuple[float, float]]:
    """The t-based (Welch) interval of :func:`saving`: the point's mean
    accuracy +- t x SE, ``SE^2 = s_p^2 / n_p + s_r^2 / n_r`` with the
    reference's seed spread ``s_r`` and seeds ``n_r`` of its arm nearest
    in accuracy, the Welch-Satterthwaite degrees of freedom; both ends
    mapped through the reference's monotone curve (bounds as their
    values). None when the point or that arm has a single seed."""
    from scipy.stats import t as student_t
    n_p = len(point['finals'])
    near = min(reference, key=lambda p: abs(p['final'] - point['final']))
    n_r = len(near['finals'])
    if n_p < 2 or n_r < 2:
        return None
    v_p = np.var(list(point['finals'].values()), ddof=1) / n_p
    v_r = np.var(list(near['finals'].values()), ddof=1) / n_r
    se = float(np.sqrt(v_p + v_r))
    if se == 0:
        value = saving(point, reference)[0]
        return value, value
    df = (v_p + v_r)**2 / (v_p**2 / (n_p - 1) + v_r**2 / (n_r - 1))
    half = float(student_t.ppf(0.5 + confidence / 2, df)) * se
    low = saving(dict(point, final=point['final'] - half), reference)[0]
    high = saving(dict(point, final=point['final'] + half), reference)[0]
    return low, high


def seed_curve(reference: List[dict],
               seed: int) -> Optional[Tuple[np.ndarray, np.ndarray]]:
    """The reference family's monotone curve fitted to its runs of one
    ``seed`` alone; None unless every reference arm has that seed."""
    if any(seed not in p['finals'] for p in reference):
        return None
    return monotone_curve([dict(p, final=p['finals'][seed],
                                finals={seed: p['finals'][seed]})
                           for p in reference])


def paired(point: dict, reference: List[dict]) -> Dict[int, dict]:
    """Per seed that the point and every reference arm share, the point's
    run against the reference curve of the same seed (the same initial
    weights): ``delta``, its final value minus that curve at the point's
    images (None beyond the curve's ends), and ``saving`` with its
    ``relation`` as in :func:`saving`."""
    out = {}
    for seed, final in sorted(point['finals'].items()):
        curve = seed_curve(reference, seed)
        if curve is None:
            continue
        at = accuracy_at(curve, point['images'])
        value, relation = _saving_on(curve, final, point['images'])
        out[seed] = dict(delta=None if at is None else final - at,
                         saving=value, relation=relation)
    return out


def paired_t(deltas: List[float], confidence: float = 0.9
             ) -> Optional[Tuple[float, float, float]]:
    """``(mean, low, high)`` of paired differences: the one-sample t
    interval of their mean (scipy's ``ttest_1samp``, n - 1 degrees of
    freedom); None under two differences, a zero-width interval when
    they are equal."""
    if len(deltas) < 2:
        return None
    mean = float(np.mean(deltas))
    if np.ptp(deltas) <= TOL:
        return mean, mean, mean
    from scipy.stats import ttest_1samp
    ci = ttest_1samp(deltas, 0.0).confidence_interval(confidence)
    return mean, float(ci.low), float(ci.high)


def shortest_complete(points: List[dict], target: float) -> Optional[dict]:
    """The point (arm) with the fewest images whose mean final value
    reaches ``target`` (the plateau reading); None when none does."""
    for p in points:
        if p['final'] >= target:
            return p
    return None


def plateau_target(reference: List[dict]) -> float:
    """A reference family's accuracy at its longest complete schedule
    (uniform's plateau)."""
    return reference[-1]['final']


def _ratio(value: float, relation: str) -> str:
    """``1.21x``, ``>=2.00x`` or ``<=1.00x``."""
    return ('' if relation == '=' else relation) + f'{value:.2f}x'


def format_saving(point: dict, reference: List[dict],
                  bootstrap: bool = True) -> str:
    """``1.21x [1.05x, 1.40x] t [1.02x, 1.45x]``, with ``>=`` / ``<=`` for
    bounds; ``1.21x (no interval: one seed)`` where neither interval
    exists."""
    text = _ratio(*saving(point, reference))
    boot = bootstrap_saving(point, reference) if bootstrap else None
    if boot is not None:
        text += f' [{boot[0]:.2f}x, {boot[1]:.2f}x]'
    t = t_saving(point, reference)
    if t is not None:
        text += f' t [{t[0]:.2f}x, {t[1]:.2f}x]'
    if bootstrap and boot is None and t is None:
        text += ' (no interval: one seed)'
    return text


def format_budget(curves: Dict[str, List[dict]], reference: str,
                  metric: str, others=(), bootstrap: bool = True) -> str:
    """The budget table as Markdown: per point (arm) its images, final
    value, wall time, accuracy over the reference curve at the same
    images, the saving against the reference and each of ``others``
    (90 % bootstrap and t intervals); then per family its shortest
    complete schedule to the reference's plateau."""
    refs = [r for r in (reference, *others) if r in curves]
    ref_curve = monotone_curve(curves[reference])
    lines = [
        f'`{metric}`. Saving: images the reference\'s monotone budget curve'
        ' needs for the point\'s final value, over the point\'s images '
        '(`>=`: beyond the reference\'s longest schedule, a lower bound; '
        '`<=`: below its shortest); [90 % seed bootstrap] and t [90 % '
        f'Welch]. Δ: final value minus {reference}\'s curve at the same '
        'images.', '',
        '| family | arm | images | final ± std (seeds) | wall min | '
        f'Δ vs {reference} | ' +
        ' | '.join(f'saving vs {r}' for r in refs) + ' |',
        '|---' * (6 + len(refs)) + '|']
    for family, points in curves.items():
        for p in points:
            at = accuracy_at(ref_curve, p['images'])
            delta = '-' if at is None or family == reference else \
                f'{p["final"] - at:+.3f}'
            cells = ['-' if r == family else
                     format_saving(p, curves[r], bootstrap) for r in refs]
            wall = f'{p["wall_s"] / 60:.0f}' if p['wall_s'] else '-'
            lines.append(
                f'| {family} | {p["arm"]} | {p["images"] / 1e3:.1f}k | '
                f'{p["final"]:.3f} ± {p["final_std"]:.3f} '
                f'({len(p["finals"])}) | {wall} | {delta} | ' +
                ' | '.join(cells) + ' |')
    target = plateau_target(curves[reference])
    reached = {f: shortest_complete(pts, target) for f, pts in curves.items()}
    lines += ['', f'Plateau reading: the shortest complete schedule of each '
              f'family that reaches {reference}\'s longest ({target:.3f}): ' +
              '; '.join(f'{f} {"never" if p is None else p["arm"]}'
                        for f, p in reached.items())]
    return '\n'.join(lines)


def format_paired(curves: Dict[str, List[dict]], reference: str,
                  families: Dict[str, List[str]]) -> str:
    """The paired table as Markdown: per point outside the reference
    family (and not one of its arms) with a seed in common, each seed's
    difference and saving against the reference curve of that seed
    (:func:`paired`), and the mean difference with its 90 % paired t
    interval (:func:`paired_t`). Not a pooled measure: it removes what
    one seed's initial weights do to every arm alike."""
    ref_points = curves[reference]
    lines = [
        f'Each arm\'s run of a seed against {reference}\'s monotone curve '
        'fitted to its runs of the same seed alone (the same initial '
        'weights). Δ: the run\'s final value minus that curve at the same '
        'images (`beyond`: outside the curve); mean Δ with a 90 % paired t '
        'interval; saving as above, per seed.', '',
        '| family | arm | images | seeds | Δ by seed | mean Δ [90 % t] | '
        'saving by seed |', '|---' * 7 + '|']
    for family, points in curves.items():
        for p in points:
            if p['arm'] in families[reference]:
                continue
            by_seed = paired(p, ref_points)
            if not by_seed:
                continue
            deltas = [v['delta'] for v in by_seed.values()]
            t = paired_t([d for d in deltas if d is not None])
            mean = '-' if t is None else \
                f'{t[0]:+.3f} [{t[1]:+.3f}, {t[2]:+.3f}]'
            lines.append(
                f'| {family} | {p["arm"]} | {p["images"] / 1e3:.1f}k | '
                + ', '.join(str(s) for s in by_seed) + ' | ' +
                ', '.join('beyond' if d is None else f'{d:+.3f}'
                          for d in deltas) + f' | {mean} | ' +
                ', '.join(_ratio(v['saving'], v['relation'])
                          for v in by_seed.values()) + ' |')
    return '\n'.join(lines)
