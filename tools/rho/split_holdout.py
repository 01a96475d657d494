"""Split a hold-out part off a training set for RHO (thesis 4.2.6).

Writes ``<stem>_main<ext>`` (what the main model trains on) and
``<stem>_holdout<ext>`` (what the small hold-out model trains on) next to
ANN_FILE, or into ``--out-dir``. Reproducible: the same file, fraction and
seed give the same split. Two annotation formats:

* ``.json``, COCO (ZODFAR, any CocoDataset): images and their annotations are
  split; categories and info are copied.
* ``.txt``, one frame id per line (KittiDataset).

    python tools/rho/split_holdout.py data/zodfar/annotations/zodfar_train.json
    python tools/rho/split_holdout.py data/kitti_tiny/train.txt --fraction 0.15 --seed 0
"""
import argparse
import json
import os
import os.path as osp
import sys
from typing import List, Sequence, Tuple

import numpy as np


def split_ids(ids: Sequence, fraction: float = 0.15,
              seed: int = 0) -> Tuple[List, List]:
    """``(main, holdout)``: ``round(fraction * N)`` ids drawn without
    replacement with ``numpy.random.default_rng(seed)``, both in input order.

    Raises:
        ValueError: ``fraction`` outside ``(0, 1)``, repeated ids, or a split
            that leaves either part empty.
    """
    if not 0 < fraction < 1:
        raise ValueError(f'fraction must be in (0, 1), got {fraction}')
    if len(set(ids)) != len(ids):
        raise ValueError('the training set lists an image twice')
    n_holdout = int(round(fraction * len(ids)))
    if not 0 < n_holdout < len(ids):
        raise ValueError(f'a {fraction} hold-out of {len(ids)} images leaves '
                         'one part empty')
    chosen = np.random.default_rng(seed).permutation(len(ids))[:n_holdout]
    is_holdout = np.zeros(len(ids), bool)
    is_holdout[chosen] = True
    return ([i for i, h in zip(ids, is_holdout) if not h],
            [i for i, h in zip(ids, is_holdout) if h])


def _write(text: str, path: str) -> None:
    with open(path + '.tmp', 'w') as f:
        f.write(text)
    os.replace(path + '.tmp', path)


def split_file(ann_file: str, out_dir: str, fraction: float,
               seed: int) -> Tuple[str, str, int, int]:
    """Split ``ann_file``; returns the two paths and the two sizes.

    Raises:
        FileNotFoundError: no ``ann_file``.
        ValueError: an extension other than ``.json`` / ``.txt``.
    """
    if not osp.isfile(ann_file):
        raise FileNotFoundError(f'annotation file {ann_file} not found')
    stem, ext = osp.splitext(osp.basename(ann_file))
    paths = [osp.join(out_dir, f'{stem}_{part}{ext}')
             for part in ('main', 'holdout')]
    if ext == '.txt':
        with open(ann_file) as f:
            ids = [line.strip() for line in f if line.strip()]
        parts = split_ids(ids, fraction, seed)
        for path, part in zip(paths, parts):
            _write(''.join(f'{i}\n' for i in part), path)
    elif ext == '.json':
        with open(ann_file) as f:
            coco = json.load(f)
        parts = split_ids([img['id'] for img in coco['images']], fraction,
                          seed)
        for path, part in zip(paths, parts):
            keep = set(part)
            _write(json.dumps(dict(
                coco,
                images=[i for i in coco['images'] if i['id'] in keep],
                annotations=[a for a in coco['annotations']
                             if a['image_id'] in keep])), path)
    else:
        raise ValueError(f'{ann_file}: expected a COCO .json or a .txt list '
                         'of frame ids')
    return paths[0], paths[1], len(parts[0]), len(parts[1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('ann_file', help='training annotation file')
    parser.add_argument('--fraction', type=float, default=0.15)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--out-dir', help='default: next to ann_file')
    args = parser.parse_args(argv)
    out_dir = args.out_dir or osp.dirname(osp.abspath(args.ann_file))
    os.makedirs(out_dir, exist_ok=True)
    main_path, ho_path, n_main, n_ho = split_file(
        args.ann_file, out_dir, args.fraction, args.seed)
    print(f'{n_main} images -> {main_path}\n{n_ho} images -> {ho_path}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
