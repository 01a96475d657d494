"""Convert DeepPCB's public layout to the COCO files the configs read.

DeepPCB (Tang et al., "Online PCB Defect Detector On A New PCB Defect
Dataset", 2019; https://github.com/tangsanli5201/DeepPCB, MIT licence)
keeps each 640 x 640 tested image beside its template, with one text file
of boxes per image and the split in two lists::

    PCBData/trainval.txt, PCBData/test.txt
        lines "group20085/20085/20085000.jpg group20085/20085_not/20085000.txt"
    PCBData/group20085/20085/20085000_test.jpg   (the image with defects)
    PCBData/group20085/20085_not/20085000.txt
        lines "x1 y1 x2 y2 type" in pixels, type 1..6

What ``configs/_base_/datasets/deeppcb.py`` reads (``data/deeppcb/``)::

    images/<id>_test.jpg                     (copied, or linked: --link)
    annotations/train.json, annotations/test.json
        COCO: image id = the 8-digit id, category ids 1..6 in the order
        open, short, mousebite, spur, copper, pin-hole; bbox [x, y, w, h];
        box ids numbered on from train to test

    python tools/dataset_converters/deeppcb_to_coco.py PATH/TO/DeepPCB data/deeppcb

Exit status 1, naming the file and line, when a list names a missing file
or a box line is not four coordinates and a type in 1..6.
"""
import argparse
import json
import os
import os.path as osp
import shutil
import sys
from typing import List, Tuple

CLASSES = ('open', 'short', 'mousebite', 'spur', 'copper', 'pin-hole')
SPLITS = (('train', 'trainval.txt'), ('test', 'test.txt'))


class LayoutError(ValueError):
    """The source is not DeepPCB's layout (the message names the file)."""


def read_boxes(path: str) -> List[Tuple[List[int], int]]:
    """``([x, y, w, h], category id)`` of each line of a DeepPCB box file
    (``x1 y1 x2 y2 type``, spaces or commas).

    Raises:
        LayoutError: a line that is not four coordinates and a type in
            1..6, or a box with no area (file and line named).
    """
    boxes = []
    with open(path) as f:
        for number, line in enumerate(f, 1):
            fields = line.replace(',', ' ').split()
            if not fields:
                continue
            try:
                x1, y1, x2, y2, kind = (int(v) for v in fields)
            except ValueError:
                raise LayoutError(f'{path}:{number}: want "x1 y1 x2 y2 type",'
                                  f' got {line.strip()!r}') from None
            if not 1 <= kind <= len(CLASSES) or x2 <= x1 or y2 <= y1:
                raise LayoutError(f'{path}:{number}: type {kind} (1..6) or '
                                  f'box {x1, y1, x2, y2} with no area')
            boxes.append(([x1, y1, x2 - x1, y2 - y1], kind))
    return boxes


def convert_split(pcb_root: str, list_file: str, out_dir: str, link: bool,
                  first_id: int = 1) -> dict:
    """One split's COCO dict, box ids from ``first_id`` (unique across the
    splits); its images copied (or linked) to ``out_dir/images``.

    Raises:
        LayoutError: the list or a file it names is missing.
    """
    list_path = osp.join(pcb_root, list_file)
    if not osp.isfile(list_path):
        raise LayoutError(f'{list_path} not found: is {pcb_root} the '
                          'PCBData folder of DeepPCB?')
    images, annotations = [], []
    with open(list_path) as f:
        entries = [line.split() for line in f if line.strip()]
    for image_rel, boxes_rel in entries:
        stem = osp.splitext(osp.basename(image_rel))[0]
        src = osp.join(pcb_root, osp.dirname(image_rel), f'{stem}_test.jpg')
        boxes_path = osp.join(pcb_root, boxes_rel)
        for path in (src, boxes_path):
            if not osp.isfile(path):
                raise LayoutError(f'{list_path} names {path}, which is '
                                  'missing')
        name = f'{stem}_test.jpg'
        dst = osp.join(out_dir, 'images', name)
        if not osp.lexists(dst):
            if link:
                os.symlink(osp.abspath(src), dst)
            else:
                shutil.copyfile(src, dst)
        images.append(dict(id=int(stem), file_name=name, width=640,
                           height=640))
        for bbox, kind in read_boxes(boxes_path):
            annotations.append(dict(
                id=first_id + len(annotations), image_id=int(stem),
                category_id=kind, bbox=bbox, area=bbox[2] * bbox[3],
                iscrowd=0))
    categories = [dict(id=i + 1, name=n) for i, n in enumerate(CLASSES)]
    return dict(images=images, annotations=annotations,
                categories=categories)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('src', help='DeepPCB (the repository, or its '
                        'PCBData folder)')
    parser.add_argument('out_dir', help='e.g. data/deeppcb')
    parser.add_argument('--link', action='store_true',
                        help='link the images instead of copying them')
    args = parser.parse_args(argv)
    pcb_root = (osp.join(args.src, 'PCBData')
                if osp.isdir(osp.join(args.src, 'PCBData')) else args.src)
    os.makedirs(osp.join(args.out_dir, 'images'), exist_ok=True)
    os.makedirs(osp.join(args.out_dir, 'annotations'), exist_ok=True)
    try:
        next_id = 1
        for split, list_file in SPLITS:
            coco = convert_split(pcb_root, list_file, args.out_dir, args.link,
                                 next_id)
            next_id += len(coco['annotations'])
            out = osp.join(args.out_dir, 'annotations', f'{split}.json')
            with open(out, 'w') as f:
                json.dump(coco, f)
            print(f'{split}: {len(coco["images"])} images, '
                  f'{len(coco["annotations"])} boxes -> {out}')
    except LayoutError as err:
        print(f'deeppcb_to_coco: {err}', file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
