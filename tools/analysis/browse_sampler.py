"""A picture of what the sampler chooses: the images it drew most and
least, or scored highest and lowest, with their boxes, as one grid PNG.

    python3 tools/analysis/browse_sampler.py WORK_DIR [--view drawn|score]
        [--num 8] [--class NAME] [--checkpoint CKPT] [--config CFG]
        [--out sampler_choice.png]

In the manner of mmdet's ``tools/analysis_tools/browse_dataset.py``: from a
work dir (its last checkpoint and the config dumped beside it) it reads the
sampler's draw counts and scores, picks the ``--num`` images with the most
and the ``--num`` with the fewest draws (``--view drawn``) or the highest
and lowest scores (``--view score``), draws each with its ground-truth
boxes (mmdet's ``DetLocalVisualizer``; don't-care boxes grey) and its score
and draw count, and writes them as a grid: the top rows the most drawn (or
highest scored), the bottom rows the least. ``--class NAME`` restricts the
choice to images that hold that class. So a user sees whether the sampler
turns to crowded scenes, rare classes or label noise.
"""
import argparse
import os.path as osp
import sys
from typing import Optional, Tuple

import numpy as np

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from sampler_report import class_name_sets, load_run  # noqa: E402

COLS = 4


def choose(values: np.ndarray, num: int,
           allowed: Optional[np.ndarray] = None) -> Tuple[np.ndarray,
                                                          np.ndarray]:
    """The ``num`` images with the largest and the ``num`` with the
    smallest ``values`` (``(N,)``), among ``allowed`` (bool ``(N,)``) when
    given; ties in index order. Returns two int arrays, largest first and
    smallest first; they do not overlap."""
    idx = np.arange(len(values)) if allowed is None else \
        np.flatnonzero(allowed)
    order = idx[np.argsort(-values[idx], kind='stable')]
    num = min(num, len(order) // 2)
    top = order[:num]
    bottom = idx[np.argsort(values[idx], kind='stable')]
    bottom = bottom[~np.isin(bottom, top)][:num]
    return top, bottom


def render(dataset, index: int, visualizer) -> np.ndarray:
    """One training image (no augmentation) with its ground-truth boxes."""
    import mmcv
    import torch
    from mmengine.structures import InstanceData

    from mmdet.structures import DetDataSample
    info = dataset.get_data_info(index)
    img = mmcv.imread(info['img_path'], channel_order='rgb')
    insts = info.get('instances', [])
    boxes = torch.tensor([i['bbox'] for i in insts],
                         dtype=torch.float32).reshape(-1, 4)
    labels = torch.tensor([i['bbox_label'] for i in insts], dtype=torch.long)
    ignore = torch.tensor([bool(i.get('ignore_flag', 0)) for i in insts],
                          dtype=torch.bool)
    sample = DetDataSample()
    sample.gt_instances = InstanceData(bboxes=boxes[~ignore],
                                       labels=labels[~ignore])
    visualizer.add_datasample('image', img, sample, draw_pred=False)
    drawn = visualizer.get_image()
    if ignore.any():  # don't-care regions in grey, on top
        visualizer.set_image(drawn)
        visualizer.draw_bboxes(boxes[ignore], edge_colors='gray',
                               line_widths=1)
        drawn = visualizer.get_image()
    return drawn


def plot_grid(tiles, titles, rows_top: int, out_file: str,
              suptitle: str) -> None:
    """The tiles in rows of :data:`COLS`, a line between the two groups."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    rows = -(-len(tiles) // COLS)
    fig, axes = plt.subplots(rows, COLS, figsize=(3.2 * COLS, 2.4 * rows),
                             squeeze=False)
    for ax in axes.ravel():
        ax.axis('off')
    for k, (tile, title) in enumerate(zip(tiles, titles)):
        ax = axes[k // COLS][k % COLS]
        ax.imshow(tile)
        ax.set_title(title, fontsize=7)
    if 0 < rows_top < rows:
        fig.add_artist(plt.Line2D([0.02, 0.98],
                                  [1 - rows_top / rows, 1 - rows_top / rows],
                                  color='k', lw=1, transform=fig.transFigure))
    fig.suptitle(suptitle, fontsize=9)
    fig.tight_layout()
    fig.savefig(out_file, dpi=70)
    plt.close(fig)


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('work_dir')
    parser.add_argument('--view', choices=['drawn', 'score'],
                        default='drawn')
    parser.add_argument('--num', type=int, default=8,
                        help='images of each end')
    parser.add_argument('--class', dest='cls', default=None)
    parser.add_argument('--checkpoint')
    parser.add_argument('--config')
    parser.add_argument('--out', default='sampler_choice.png')
    args = parser.parse_args(argv)

    from mmdet.visualization import DetLocalVisualizer
    state, cfg, dataset, ckpt = load_run(args.work_dir, args.checkpoint,
                                         args.config)
    counts = state['draw_counts'].numpy().astype(np.int64)
    scores = state['scores'].numpy().astype(np.float64)
    allowed = None
    names = dataset.metainfo['classes']
    if args.cls is not None:
        if args.cls not in names:
            raise KeyError(f'--class {args.cls!r} is not a class of the '
                           f'dataset: {list(names)}')
        allowed = np.array([args.cls in c for c in class_name_sets(dataset)])
    values = counts if args.view == 'drawn' else scores
    top, bottom = choose(values, args.num, allowed)
    visualizer = DetLocalVisualizer(name=f'browse_sampler_{id(args)}')
    visualizer.dataset_meta = dataset.metainfo
    tiles, titles = [], []
    for i in list(top) + list(bottom):
        tiles.append(render(dataset, int(i), visualizer))
        path = dataset.get_data_info(int(i))['img_path']
        titles.append(f'{osp.basename(path)}: score {scores[i]:.3g}, '
                      f'drawn {counts[i]}')
    what = 'drawn most / least' if args.view == 'drawn' else \
        'scored highest / lowest'
    where = f', images with {args.cls}' if args.cls else ''
    plot_grid(tiles, titles, -(-len(top) // COLS), args.out,
              f'{what}{where}: {osp.basename(ckpt)}')
    print(f'wrote {args.out}: {len(top)} + {len(bottom)} images ({what})')
    return dict(top=top, bottom=bottom, counts=counts, scores=scores)


if __name__ == '__main__':
    main()
