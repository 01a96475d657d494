"""Budget curves: what a complete schedule of each length reaches, against
the images it processes.

A study names its families of arms, one method at several lengths each
(``families = dict(uniform=['uniform_e16', 'uniform_e32'], ...)``); every
arm is a complete schedule (its own warm-up and decay). One point per arm:
the images it processes (the last ``images_processed`` of its runs, mean
over seeds) and its final value of the metric (mean and std over seeds).
A method pays where its curve lies left of uniform's: the same accuracy
for fewer images, and the saving a user can act on is its *shortest
complete schedule* that reaches the target (uniform's plateau, the final
value of the study's baseline), against the images uniform's own curve
needs for it (linear between its points).
"""
from typing import Dict, List, Optional

import numpy as np


def final_value(run: dict, metric: str) -> Optional[float]:
    """The metric at a run's last validation (None without one)."""
    values = run['val'].get(metric)
    return values[max(values)] if values else None


def images_processed(run: dict) -> Optional[float]:
    """The images a run processed in all (its last validation's count)."""
    images = run['val'].get('images_processed')
    return float(images[max(images)]) if images else None


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
                arm=arm, runs=runs,
                images=float(np.mean([images_processed(r) for r in runs])),
                final=float(np.mean(list(finals.values()))),
                final_std=float(np.std(list(finals.values()))),
                finals=finals,
                wall_s=float(np.mean(walls)) if walls else None))
        if points:
            out[family] = sorted(points, key=lambda p: p['images'])
    return out


def images_to_reach(points: List[dict], target: float,
                    interpolate: bool) -> Optional[float]:
    """The images a family's budget curve needs for ``target``: the
    fewest images of a point at or above it, or, with ``interpolate``,
    the linear crossing between the last point below and the first at or
    above it. None when no point reaches it."""
    below = None
    for p in points:
        if p['final'] >= target:
            if not interpolate or below is None:
                return p['images']
            frac = (target - below['final']) / (p['final'] - below['final'])
            return below['images'] + frac * (p['images'] - below['images'])
        below = p
    return None


def shortest_complete(points: List[dict], target: float) -> Optional[dict]:
    """The point (arm) with the fewest images whose mean final value
    reaches ``target``; None when no complete schedule of the family
    does."""
    for p in points:
        if p['final'] >= target:
            return p
    return None


def _resampled(points: List[dict], rng: np.random.Generator) -> List[dict]:
    """The points with each arm's seeds drawn again with replacement."""
    out = []
    for p in points:
        finals = list(p['finals'].values())
        pick = rng.integers(len(finals), size=len(finals))
        out.append(dict(p, final=float(np.mean([finals[i] for i in pick]))))
    return out


def reference_target(reference: List[dict]) -> float:
    """A reference family's accuracy: the final value of its longest
    complete schedule (uniform's plateau; a random subset's end)."""
    return reference[-1]['final']


def budget_saving(points: List[dict], reference: List[dict],
                  n_resamples: int = 2000, confidence: float = 0.9,
                  seed: int = 0) -> dict:
    """How many times fewer images the family's shortest complete schedule
    needs for the reference's accuracy (:func:`reference_target`) than the
    reference's own budget curve (interpolated), with a percentile
    bootstrap over seeds: each arm's seeds resampled independently, the
    target recomputed from the resampled reference; a resample in which
    the family never reaches it counts as no saving, 0.

    Returns:
        dict: ``saving`` (None when the family never reaches the target),
        ``low``, ``high`` (the interval), ``share_reaching`` (share of
        resamples in which the family reaches the target).
    """
    def ratio(pts, ref):
        target = reference_target(ref)
        ours = shortest_complete(pts, target)
        theirs = images_to_reach(ref, target, interpolate=True)
        if ours is None:
            return None
        return theirs / ours['images']

    saving = ratio(points, reference)
    rng = np.random.default_rng(seed)
    values = [ratio(_resampled(points, rng), _resampled(reference, rng))
              for _ in range(n_resamples)]
    reached = [v for v in values if v is not None]
    alpha = (1 - confidence) / 2
    filled = [0.0 if v is None else v for v in values]
    return dict(saving=saving,
                low=float(np.quantile(filled, alpha)),
                high=float(np.quantile(filled, 1 - alpha)),
                share_reaching=len(reached) / max(len(values), 1))


def format_budget(curves: Dict[str, List[dict]], reference: str,
                  metric: str, others=()) -> str:
    """The budget table as Markdown: per family, the complete schedules
    run, the shortest that reaches the reference's accuracy, and the
    saving against the reference's budget curve and against each of
    ``others`` (e.g. the random subset: the same accuracy as its end, for
    fewer images), with bootstrap intervals (:func:`budget_saving`)."""
    def times(r):
        if r['saving'] is None:
            return 'never'
        return (f'{r["saving"]:.2f}x [{r["low"]:.2f}x, {r["high"]:.2f}x], '
                f'reaches in {100 * r["share_reaching"]:.0f} %')

    refs = [r for r in (reference, *others) if r in curves]
    targets = ', '.join(f'{r} {reference_target(curves[r]):.3f}'
                        for r in refs)
    lines = [f'`{metric}`; target: each reference\'s final value at its '
             f'longest complete schedule ({targets}); saving: images the '
             'reference needs for it (along its curve) over images of the '
             'shortest complete schedule that reaches it; 90 % bootstrap '
             'over seeds', '',
             '| family | schedules (images, final ± std, wall-clock with '
             f'scoring) | shortest complete schedule to {reference}\'s '
             'target | ' + ' | '.join(f'saving vs {r}' for r in refs) + ' |',
             '|---' * (3 + len(refs)) + '|']
    target = reference_target(curves[reference])
    for family, points in curves.items():
        runs = '; '.join(f'{p["arm"]} {p["images"] / 1e3:.1f}k, '
                         f'{p["final"]:.3f} ± {p["final_std"]:.3f}' + (
                             f', {p["wall_s"] / 60:.0f} min'
                             if p['wall_s'] else '') for p in points)
        best = shortest_complete(points, target)
        cells = [times(budget_saving(points, curves[r])) if r != family
                 else '-' for r in refs]
        lines.append(f'| {family} | {runs} | '
                     f'{"never" if best is None else best["arm"]} | '
                     + ' | '.join(cells) + ' |')
    return '\n'.join(lines)


def plot_budget(curves: Dict[str, List[dict]], target: float, metric: str,
                out_file: str) -> None:
    """Final value against images processed, one line per family, one
    point per complete schedule (error bar: std over seeds); dashed: the
    target."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for family, points in curves.items():
        ax.errorbar([p['images'] / 1e3 for p in points],
                    [p['final'] for p in points],
                    yerr=[p['final_std'] for p in points], marker='o',
                    capsize=3, label=family)
    ax.axhline(target, ls='--', color='grey', lw=1, label='target')
    ax.set_xlabel('images processed in the complete schedule (thousands)')
    ax.set_ylabel(f'final {metric}')
    ax.set_title('Budget curves: a method pays where it lies left of '
                 'uniform')
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(out_file, dpi=120)
    plt.close(fig)
