"""Convert ZOD Frames to ZODFAR once: far-RoI crops plus COCO annotations.

Decoding an 8-megapixel JPEG per sample starves a GPU at batch 128, so the
crop of ``FarRoICrop`` (thesis 4.4) is done here, in parallel worker
processes, and training reads 1280 x 384 images with mmdet's ``CocoDataset``
(``configs/_base_/datasets/zodfar.py``).

Output under ``OUT_DIR``::

    images/<split>/<frame_id>.png            the crops (lossless by default)
    annotations/parts/<split>/<frame_id>.json   one frame's COCO records
    annotations/zodfar_<split>.json          COCO file (don't-care: iscrowd=1)

Resumable: a frame whose part file exists is skipped, so a second run
converts nothing. Every file is written to a temporary name and renamed, so
an interrupted run leaves no half-written output. Frames that cannot be read
are listed by id at the end; the split's COCO file is then not written
(unless ``--skip-failed``) and the exit status is 1.

Example::

    python tools/dataset_converters/zod_to_zodfar.py /data/zod data/zodfar \
        --version full --workers 16
"""
import argparse
import json
import os
import os.path as osp
import sys
from collections import Counter
from functools import partial
from multiprocessing import Pool
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import mmcv
from mmcv.transforms import LoadImageFromFile
from tqdm import tqdm
from zod import ZodFrames
from zod.data_classes.frame import ZodFrame
from zod.data_classes.info import Information

from mmdet_is.datasets.transforms import FAR_ROI, FarRoICrop
from mmdet_is.datasets.zod import ZOD_CLASSES, ZodFrameError, load_zod_frame
from mmdet_is.evaluation.stratified_metric import SIZES

DONT_CARE = 'DontCare'


def _atomic_write_json(obj, path: str) -> None:
    tmp = path + '.tmp'
    with open(tmp, 'w') as f:
        json.dump(obj, f)
    os.replace(tmp, path)


def part_path(out_dir: str, split: str, frame_id: str) -> str:
    return osp.join(out_dir, 'annotations', 'parts', split,
                    f'{frame_id}.json')


def convert_frame(info: Information, out_dir: str, split: str,
                  anonymization: str, crop_window: Sequence[int],
                  img_format: str) -> Tuple[str, str, Optional[str]]:
    """Crop one frame and write its image and part file.

    Returns:
        ``(frame_id, status, error)``: status ``'done'``, ``'skipped'``
        (its part file exists) or ``'failed'`` (``error`` names the frame and says
        why: a :class:`ZodFrameError`, an image that cannot be decoded or
        is smaller than the crop window).
    """
    frame_id = info.id
    part = part_path(out_dir, split, frame_id)
    if osp.isfile(part):
        return frame_id, 'skipped', None
    try:
        data = load_zod_frame(ZodFrame(info), anonymization, ZOD_CLASSES)
        data = FarRoICrop(crop_window)(LoadImageFromFile()(data))
    except (ZodFrameError, OSError, ValueError, AssertionError) as e:
        # mmcv's LoadImageFromFile asserts that the image decodes
        msg = str(e) if isinstance(e, ZodFrameError) else \
            f'ZOD frame {frame_id}: {type(e).__name__}: {e}'
        return frame_id, 'failed', msg
    file_name = f'{split}/{frame_id}.{img_format}'
    img_path = osp.join(out_dir, 'images', file_name)
    tmp = osp.join(out_dir, 'images', split, f'{frame_id}.tmp.{img_format}')
    os.makedirs(osp.dirname(tmp), exist_ok=True)
    mmcv.imwrite(data['img'], tmp)
    os.replace(tmp, img_path)
    h, w = data['img_shape']
    records = dict(
        image=dict(id=data['img_id'], file_name=file_name, width=w, height=h,
                   frame_id=frame_id),
        annotations=[
            dict(image_id=data['img_id'],
                 category_id=inst['bbox_label'] + 1,
                 bbox=[x1, y1, x2 - x1, y2 - y1],
                 area=(x2 - x1) * (y2 - y1),
                 iscrowd=inst['ignore_flag'])
            for inst in data['instances']
            for x1, y1, x2, y2 in [inst['bbox']]
        ])
    os.makedirs(osp.dirname(part), exist_ok=True)
    _atomic_write_json(records, part)
    return frame_id, 'done', None


def assemble_coco(out_dir: str, split: str, frame_ids: Iterable[str],
                  version: str, crop_window: Sequence[int]) -> dict:
    """The split's COCO dict from its part files (frame id order).

    Annotation ids are 1, 2, ... in that order; categories are
    :data:`ZOD_CLASSES` with ids 1-4; don't-care objects are ``iscrowd=1``
    with their class (or the first class when ZOD gives none).
    """
    images, annotations = [], []
    for frame_id in sorted(frame_ids):
        with open(part_path(out_dir, split, frame_id)) as f:
            records = json.load(f)
        images.append(records['image'])
        for ann in records['annotations']:
            annotations.append(dict(ann, id=len(annotations) + 1))
    return dict(
        info=dict(description=f'ZODFAR: ZOD Frames {version} {split}, far '
                  f'RoI crop (x0, y0, w, h) = {list(crop_window)}'),
        images=images, annotations=annotations,
        categories=[dict(id=i + 1, name=c) for i, c in enumerate(ZOD_CLASSES)])


def count_objects(coco: dict,
                  area_fractions: Tuple[float, float] = (0.0033, 0.03)
                  ) -> Counter:
    """Objects by (size stratum, class) as in thesis table 4.2.

    Size: box area as a fraction of the image area, small below
    ``area_fractions[0]``, large above ``area_fractions[1]``, medium
    between. Don't-care objects count under ``'DontCare'``.
    """
    img_area = {i['id']: i['width'] * i['height'] for i in coco['images']}
    names = {c['id']: c['name'] for c in coco['categories']}
    counts = Counter()
    for ann in coco['annotations']:
        frac = ann['area'] / img_area[ann['image_id']]
        size = 'small' if frac < area_fractions[0] else \
            'large' if frac > area_fractions[1] else 'medium'
        cls = DONT_CARE if ann['iscrowd'] else names[ann['category_id']]
        counts[size, cls] += 1
    return counts


def format_counts(counts: Dict[str, Counter]) -> str:
    """Table 4.2's layout: rows large/medium/small, one column per class;
    with two splits a cell reads ``train (val)``."""
    cols = list(ZOD_CLASSES) + [DONT_CARE]
    splits = list(counts)
    rows = [[''] + cols]
    for size in reversed(SIZES):
        cells = []
        for c in cols:
            vals = [counts[s][size, c] for s in splits]
            cells.append(f'{vals[0]}' + ''.join(f' ({v})' for v in vals[1:]))
        rows.append([size] + cells)
    widths = [max(len(r[k]) for r in rows) for k in range(len(cols) + 1)]
    lines = ['  '.join(v.rjust(w) for v, w in zip(r, widths)) for r in rows]
    header = 'Objects by size and class (' + ' / '.join(
        splits[:1] + [f'({s})' for s in splits[1:]]) + ')'
    return '\n'.join([header] + lines)


def convert_split(frames: ZodFrames, out_dir: str, split: str,
                  version: str, anonymization: str = 'blur',
                  crop_window: Sequence[int] = FAR_ROI,
                  img_format: str = 'png', workers: int = 0,
                  skip_failed: bool = False
                  ) -> Tuple[Optional[dict], Counter, List[str]]:
    """Convert one split; write its COCO file unless frames failed.

    Returns:
        ``(coco, status_counts, failures)``: the COCO dict (None when it was
        not written), how many frames were done / skipped / failed, and one
        message per failed frame.
    """
    infos = frames.get_all_infos()
    ids = sorted(frames.get_split(split))
    func = partial(convert_frame, out_dir=out_dir, split=split,
                   anonymization=anonymization, crop_window=crop_window,
                   img_format=img_format)
    tasks = (infos[i] for i in ids)
    status, failures, ok_ids = Counter(), [], []
    pool = Pool(workers) if workers > 0 else None
    results = pool.imap_unordered(func, tasks, chunksize=8) if pool \
        else map(func, tasks)
    for frame_id, state, error in tqdm(results, total=len(ids),
                                       desc=f'ZODFAR {split}'):
        status[state] += 1
        if error is None:
            ok_ids.append(frame_id)
        else:
            failures.append(error)
    if pool:
        pool.close()
        pool.join()
    if failures and not skip_failed:
        return None, status, sorted(failures)
    coco = assemble_coco(out_dir, split, ok_ids, version, crop_window)
    _atomic_write_json(
        coco, osp.join(out_dir, 'annotations', f'zodfar_{split}.json'))
    return coco, status, sorted(failures)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('zod_root', help='ZOD root (trainval-frames-*.json)')
    parser.add_argument('out_dir', help='ZODFAR output directory')
    parser.add_argument('--version', default='full', choices=['full', 'mini'])
    parser.add_argument('--splits', nargs='+', default=['train', 'val'],
                        choices=['train', 'val'])
    parser.add_argument('--anonymization', default='blur',
                        choices=['blur', 'dnat', 'original'])
    parser.add_argument('--crop-window', type=int, nargs=4, default=FAR_ROI,
                        metavar=('X0', 'Y0', 'W', 'H'),
                        help='far RoI in full-frame pixels (default: '
                        '%(default)s)')
    parser.add_argument('--img-format', default='png', choices=['png', 'jpg'],
                        help='png is lossless: training sees the pixels of '
                        'the online crop')
    parser.add_argument('--workers', type=int, default=os.cpu_count(),
                        help='worker processes (0: convert in this process)')
    parser.add_argument('--skip-failed', action='store_true',
                        help='write the COCO files without the frames that '
                        'failed instead of refusing')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    frames = ZodFrames(args.zod_root, args.version)
    counts, all_failures = {}, []
    for split in args.splits:
        coco, status, failures = convert_split(
            frames, args.out_dir, split, args.version, args.anonymization,
            args.crop_window, args.img_format, args.workers, args.skip_failed)
        print(f'{split}: {status["done"]} converted, {status["skipped"]} '
              f'already done, {status["failed"]} failed')
        all_failures += failures
        if coco is not None:
            counts[split] = count_objects(coco)
    if counts:
        print(format_counts(counts))
    if all_failures:
        print(f'{len(all_failures)} frame(s) could not be converted:',
              *all_failures, sep='\n', file=sys.stderr)
        if not args.skip_failed:
            print('COCO files of splits with failed frames were NOT written; '
                  'fix the frames and run again (done frames are skipped), '
                  'or pass --skip-failed.', file=sys.stderr)
            return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
