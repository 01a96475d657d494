"""Diagnostics of an importance-sampling run, as one PNG.

Panels: the effective sample size of the sampling distribution and the
coverage (fraction of images drawn at least once) over iterations, from the
run's ``vis_data/scalars.json`` (``importance_ess_fraction``,
``importance_coverage``, logged by ImportanceSamplingHook); and how often each
image was drawn, as histograms per class of the objects the image holds, from
the draw counts saved in a checkpoint.

    python tools/analysis/sampler_report.py WORK_DIR [--checkpoint CKPT]
        [--config CFG] [--out sampler_report.png]

``--checkpoint`` defaults to the work dir's last checkpoint, ``--config`` to
the config dumped in the work dir (its train dataset gives each image's
classes).

For an RHO run (the config's ImportanceSamplingHook has ``irreducible_loss``)
it also prints what RHO does to the sampling distribution: the effective
sample size under RHO against the plain heuristic on the same training
losses (``L_train = s + L_ho``), the images that gain and lose the most
weight, and the mean weight ratio by class.
"""
import argparse
import glob
import json
import os.path as osp
from typing import Dict, List, Optional

import numpy as np


def read_series(scalars_path: str, keys: List[str]) -> Dict[str, tuple]:
    """``{key: (steps, values)}`` of training records that have ``key``."""
    series = {k: ([], []) for k in keys}
    with open(scalars_path) as f:
        for line in f:
            if not line.strip():
                continue
            rec = json.loads(line)
            for k in keys:
                if k in rec:
                    series[k][0].append(rec['step'])
                    series[k][1].append(rec[k])
    return series


def class_name_sets(dataset) -> List[set]:
    """The set of class names of each image's cared (non-ignored) objects
    (:func:`~mmdet_is.engine.hooks.sampling_diagnostics.classes_per_image`
    as names)."""
    from mmdet_is.engine.hooks.sampling_diagnostics import classes_per_image
    names = dataset.metainfo['classes']
    return [{names[j] for j in np.flatnonzero(row)}
            for row in classes_per_image(dataset)]


def sampling_distribution(scores: np.ndarray,
                          rescale: Optional[str] = None) -> np.ndarray:
    """``(N,)`` the ``importance`` policy's probabilities for these scores
    (eqs. 4.2, 4.3; eq. 4.6 with ``rescale='minmax'``), with smoothing."""
    from mmdet_is.datasets import ImportanceSampler
    sampler = ImportanceSampler(range(len(scores)), batch_size=1, seed=0,
                                policy=dict(type='importance',
                                            rescale=rescale))
    sampler.update(np.arange(len(scores)), scores)
    return sampler.policy.probabilities()


def rho_comparison(scores: np.ndarray, irreducible: np.ndarray,
                   names: List[str], image_classes: List[set],
                   class_names, top: int = 5) -> str:
    """RHO's distribution against the plain heuristic's, as text.

    Args:
        scores: ``(N,)`` the RHO table, ``s = L_train - L_ho``.
        irreducible: ``(N,)`` ``L_ho``.
        names: image names (frame ids); image_classes: their classes.
    """
    p_rho = sampling_distribution(scores, 'minmax')
    p_plain = sampling_distribution(scores + irreducible)
    n = len(scores)
    ratio = p_rho / p_plain
    lines = [f'ESS fraction: RHO {1 / (p_rho @ p_rho) / n:.3f}, plain '
             f'heuristic on the same losses {1 / (p_plain @ p_plain) / n:.3f}',
             'corr(p_RHO / p_plain, L_ho) = '
             f'{np.corrcoef(ratio, irreducible)[0, 1]:+.3f}']
    order = np.argsort(ratio)
    for title, picks in (('gain', order[::-1][:top]), ('lose', order[:top])):
        lines.append(f'images that {title} the most weight (p_RHO / p_plain,'
                     ' L_train, L_ho, classes):')
        for i in picks:
            lines.append(f'  {names[i]}  {ratio[i]:6.2f}  '
                         f'{scores[i] + irreducible[i]:.3f}  '
                         f'{irreducible[i]:.3f}  '
                         f'{",".join(sorted(image_classes[i])) or "-"}')
    for c in class_names:
        has = np.array([c in s for s in image_classes])
        if has.any():
            lines.append(f'mean p_RHO / p_plain, images with {c}: '
                         f'{ratio[has].mean():.2f} ({has.sum()} images)')
    return '\n'.join(lines)


def plot_report(series, draw_counts: np.ndarray, image_classes: List[set],
                class_names, out_file: str) -> None:
    """Write the three-panel PNG."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(14, 3.6))
    for ax, key, title in (
            (axes[0], 'importance_ess_fraction',
             'effective sample size / N'),
            (axes[1], 'importance_coverage', 'images drawn at least once')):
        steps, values = series[key]
        ax.plot(steps, values)
        ax.set_ylim(0, 1.05)
        ax.set_title(title, fontsize=10)
        ax.set_xlabel('iteration')
    bins = np.arange(draw_counts.max() + 2) - 0.5
    groups = [(name, [i for i, c in enumerate(image_classes) if name in c])
              for name in class_names]
    groups.append(('no objects',
                   [i for i, c in enumerate(image_classes) if not c]))
    for name, idx in groups:
        if idx:
            axes[2].hist(draw_counts[idx], bins=bins, histtype='step',
                         density=True, label=f'{name} ({len(idx)} images)')
    axes[2].set_title('times each image was drawn, by class', fontsize=10)
    axes[2].set_xlabel('draws')
    axes[2].set_ylabel('fraction of images')
    axes[2].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out_file, dpi=110)
    plt.close(fig)


def load_run(work_dir: str, checkpoint: Optional[str] = None,
             config: Optional[str] = None):
    """The sampler state of a run's checkpoint, its config and training set.

    ``checkpoint`` defaults to the work dir's last checkpoint, ``config`` to
    the config dumped in the work dir.

    Returns:
        ``(state, cfg, dataset, ckpt_path)``: the checkpoint's
        ``importance_sampler`` dict, the config and the built training set.

    Raises:
        KeyError: the checkpoint holds no sampler state.
        ValueError: the training set has another number of images.
    """
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from mmengine.runner.checkpoint import CheckpointLoader

    import mmdet_is  # noqa: F401  (registers datasets and the loader)
    from mmdet.registry import DATASETS

    ckpt_path = checkpoint
    if ckpt_path is None:
        with open(osp.join(work_dir, 'last_checkpoint')) as f:
            ckpt_path = f.read().strip()
    ckpt = CheckpointLoader.load_checkpoint(ckpt_path, map_location='cpu')
    if 'importance_sampler' not in ckpt:
        raise KeyError(f'{ckpt_path} holds no importance_sampler state: '
                       'was the run trained with ImportanceSamplingHook?')
    state = ckpt['importance_sampler']
    cfg_path = config or sorted(glob.glob(osp.join(work_dir, '*.py')))[-1]
    cfg = Config.fromfile(cfg_path)
    init_default_scope('mmdet')
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    if len(dataset) != len(state['draw_counts']):
        raise ValueError(f'{ckpt_path} has draw counts for '
                         f'{len(state["draw_counts"])} images, the dataset of '
                         f'{cfg_path} has {len(dataset)}')
    return state, cfg, dataset, ckpt_path


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('work_dir')
    parser.add_argument('--checkpoint')
    parser.add_argument('--config')
    parser.add_argument('--out', default='sampler_report.png')
    args = parser.parse_args()

    scalars = sorted(glob.glob(osp.join(args.work_dir, '*', 'vis_data',
                                        'scalars.json')))
    if not scalars:
        raise FileNotFoundError(f'no */vis_data/scalars.json in '
                                f'{args.work_dir}')
    state, cfg, dataset, _ = load_run(args.work_dir, args.checkpoint,
                                      args.config)
    counts = state['draw_counts'].numpy()
    series = read_series(scalars[-1], ['importance_ess_fraction',
                                       'importance_coverage'])
    plot_report(series, counts, class_name_sets(dataset),
                dataset.metainfo['classes'], args.out)
    print(f'wrote {args.out}: {len(counts)} images, '
          f'{int(counts.sum())} draws, final ESS fraction '
          f'{series["importance_ess_fraction"][1][-1]:.3f}')
    from mmdet_is.scoring import (irreducible_loss_path,
                                  load_irreducible_losses)
    irr_file = irreducible_loss_path(cfg)
    if irr_file:
        infos = [dataset.get_data_info(i) for i in range(len(dataset))]
        irreducible = load_irreducible_losses(
            irr_file, [d['img_id'] for d in infos])
        names = [str(d.get('frame_id', d['img_id'])) for d in infos]
        scores = state['scores'].numpy().astype(float)
        print(rho_comparison(scores, irreducible, names,
                             class_name_sets(dataset),
                             dataset.metainfo['classes']))


if __name__ == '__main__':
    main()
