"""The study's pictures: mean curves against iterations (eq. 5.1) and
against images processed (time to accuracy), and the budget curves."""
import textwrap
from typing import Dict, List

import numpy as np

from .curves import final_value, mean_curve
from .speedup import speedups


def _pyplot():
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    return plt


def _legend(axes) -> None:
    """The legend on the first panel that has labelled curves (a figure
    whose panels have no data gets none)."""
    for ax in axes.flat:
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=7)
            return


def _save(fig, axes, title: str, out_file: str) -> None:
    """A legend (:func:`_legend`) and the title (wrapped at 110 characters)
    on a grid of panels, then the figure written to ``out_file`` (PNG, 110
    dpi) and closed."""
    plt = _pyplot()
    _legend(axes)
    fig.suptitle(textwrap.fill(title, 110))
    fig.tight_layout()
    fig.savefig(out_file, dpi=110)
    plt.close(fig)


def plot_panels(methods: Dict[str, List[dict]], baseline: str,
                panels: List[List[str]], titles: List[List[str]],
                out_file: str, suptitle: str) -> None:
    """A grid of mean +- std curves, the baseline's peak and each method's
    crossing marked; one panel per metric."""
    plt = _pyplot()

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
                curve = mean_curve(runs, metric)
                iters, mean, std = curve['steps'], curve['mean'], curve['std']
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
    _save(fig, axes, suptitle, out_file)


def plot_tta(methods: Dict[str, List[dict]], baseline: str,
             metrics: List[str], out_file: str, title: str) -> None:
    """Mean ± std curves against images processed, one panel per metric,
    the target (baseline's mean final value) dashed."""
    plt = _pyplot()

    fig, axes = plt.subplots(1, len(metrics),
                             figsize=(4.6 * len(metrics), 3.4), squeeze=False)
    colors = plt.rcParams['axes.prop_cycle'].by_key()['color']
    for ax, metric in zip(axes[0], metrics):
        finals = [final_value(r, metric) for r in methods[baseline]]
        finals = [v for v in finals if v is not None]
        for m, (name, runs) in enumerate(methods.items()):
            curve = mean_curve(runs, metric)
            img, mean, std = curve['images'], curve['mean'], curve['std']
            if not len(img):
                continue
            color = colors[m % len(colors)]
            ax.plot(img / 1e3, mean, color=color,
                    label=f'{name} ({len(runs)})')
            ax.fill_between(img / 1e3, mean - std, mean + std, color=color,
                            alpha=0.15)
        if finals:
            ax.axhline(np.mean(finals), color='k', ls='--', lw=0.8)
        ax.set_title(metric, fontsize=9)
        ax.set_xlabel('images processed (thousands)', fontsize=8)
        ax.tick_params(labelsize=7)
    _save(fig, axes, title, out_file)


def plot_budget(curves: Dict[str, List[dict]], metric: str, out_file: str,
                title: str = '') -> None:
    """Final value against images processed, one line per family, one
    marker per complete schedule, a band of one std over seeds."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for family, points in curves.items():
        x = np.array([p['images'] / 1e3 for p in points])
        y = np.array([p['final'] for p in points])
        s = np.array([p['final_std'] for p in points])
        line, = ax.plot(x, y, marker='o', label=family)
        ax.fill_between(x, y - s, y + s, color=line.get_color(), alpha=0.15,
                        lw=0)
    ax.set_xlabel('images processed in the complete schedule (thousands)')
    ax.set_ylabel(f'final {metric} (mean over seeds, band 1 std)')
    ax.set_title(textwrap.fill(title or 'Budget curves: a method pays where '
                               'it lies above uniform', 75), fontsize=10)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(out_file, dpi=120)
    plt.close(fig)
