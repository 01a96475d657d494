"""A study's report: the Markdown tables (``study.md``) and the plots."""
import os
import os.path as osp
from typing import List

import numpy as np

from . import budget, plots, speedup, tta
from .curves import SIZES, collect
from .statistics import study_table


def format_table(rows: List[dict], metric: str) -> str:
    """The study table as Markdown."""

    def pct(v):
        return '-' if v is None else f'{100 * v:+.0f} %'

    def num(m, s):
        return '-' if m is None else f'{m:.3f} ± {s:.3f}'

    lines = [
        f'`{metric}`', '',
        '| method | runs | peak (mean ± std of each run\'s best) | final | '
        'first above the baseline\'s peak (it) | speed-up eq. 5.1 | '
        'wall clock | each seed | 90 % bootstrap | '
        'resamples crossing |', '|---' * 10 + '|'
    ]
    for r in rows:
        if r['note'] == 'baseline':
            crossing = f'peak of the mean curve at {r["it_base"]}'
        elif r['it_method'] is None:
            crossing = 'never'
        else:
            crossing = str(r['it_method'])
        seed = '-' if r['per_seed'] is None else ', '.join(
            'never' if v is None else f'{100 * v:+.0f} %'
            for v in r['per_seed'])
        ci = '-' if r['ci_low'] is None else (
            f'[{100 * r["ci_low"]:+.0f} %, {100 * r["ci_high"]:+.0f} %]')
        share = '-' if r['share_crossing'] is None else \
            f'{100 * r["share_crossing"]:.0f} %'
        lines.append(
            f'| {r["method"]} | {r["runs"]} | '
            f'{num(r["peak_mean"], r["peak_std"])} | '
            f'{num(r["final_mean"], r["final_std"])} | {crossing} | '
            f'{pct(r["speedup"])} | {pct(r["speedup_time"])} | {seed} | '
            f'{ci} | {share} |')
    return '\n'.join(lines)


def analyse(study, bootstrap: bool = True, log=print) -> str:
    """Tables and plots from the curve files; returns the report text."""
    methods = collect(study)
    if study.baseline not in methods:
        raise FileNotFoundError(
            f'no finished run of the baseline {study.baseline!r} under '
            f'{osp.join(study.out_dir, "curves")}')
    metric, p = study.metric, study.prefix
    sizes = [f'{p}/AP50_{s}' for s in SIZES]
    names = speedup.class_names(methods, p)
    classes = [f'{p}/AP50_{n}' for n in names]
    wall = {m: [r['wall_s'] for r in runs if r.get('wall_s')]
            for m, runs in methods.items()}
    parts = [f'# Study {study.get("name", "")}'.rstrip(), '',
             'Runs (seeds) per method: ' + ', '.join(
                 f'{m} {sorted(r["seed"] for r in runs)}'
                 for m, runs in methods.items()),
             'Wall time per run (min, mean): ' + ', '.join(
                 f'{m} {np.mean(w) / 60:.1f}' for m, w in wall.items() if w),
             '']
    curves = None
    reference = next((f for f, arms in study.get('families', {}).items()
                      if study.baseline in arms), None)
    if reference is not None:
        curves = budget.schedule_points(methods, study.families, metric)
        parts += ['## Budget curves: complete schedules against the images '
                  'they process', '',
                  budget.format_budget(curves, reference, metric,
                                       study.get('budget_others', ()),
                                       bootstrap), '',
                  '## Paired by seed (not a pre-registered measure)', '',
                  budget.format_paired(curves, reference, study.families),
                  '']
    parts += ['## Time to accuracy: images processed to the baseline\'s '
              'final value (mid-schedule crossings)', '']
    for key in [metric] + sizes + classes:
        rows = tta.tta_table(methods, study.baseline, key, bootstrap)
        parts += [tta.format_tta(rows, key, study.baseline), '']
    for ref in study.get('tta_references', []):
        if ref in methods:
            parts += [f'## Time to accuracy against {ref}: images processed '
                      f'to its final value', '',
                      tta.format_tta(tta.tta_table(methods, ref, metric,
                                                   bootstrap), metric, ref),
                      '']
    parts += ['## Speed-up in iterations, eq. 5.1 (the thesis\' measure)',
              '']
    for key in [metric] + sizes + classes:
        rows = study_table(methods, study.baseline, key, bootstrap)
        parts += [format_table(rows, key), '']
    text = '\n'.join(parts)
    os.makedirs(study.out_dir, exist_ok=True)
    with open(osp.join(study.out_dir, 'study.md'), 'w') as f:
        f.write(text)
    out = study.out_dir
    if curves is not None:
        plots.plot_budget(curves, metric, osp.join(out, 'budget.png'),
                          study.get('name', ''))
    plots.plot_tta(methods, study.baseline, [metric] + sizes,
                 osp.join(out, 'tta_by_size.png'),
                 f'{metric} by object size against images processed: mean '
                 'of seeds, band = 1 std, dashed = target')
    plots.plot_panels(methods, study.baseline, [[metric] + sizes],
                        [['all'] + list(SIZES)],
                        osp.join(out, 'speedup_by_size.png'),
                        f'{metric} by object size: mean of seeds, band = 1 std')
    if names:
        plots.plot_panels(methods, study.baseline, [classes],
                            [list(names)],
                            osp.join(out, 'speedup_by_class.png'),
                            'AP@0.5 by class')
        plots.plot_panels(
            methods, study.baseline,
            [[f'{p}/AP50_{n}_{s}' for s in SIZES] for n in names],
            [[f'{n} {s}, '
              f'{speedup.num_gt(methods, f"{p}/num_gt_{n}_{s}")} objects'
              for s in SIZES] for n in names],
            osp.join(out, 'speedup_by_class_size.png'), 'AP@0.5 by class x size')
    log(text)
    log(f'[study] table and plots written to {out}/')
    return text
