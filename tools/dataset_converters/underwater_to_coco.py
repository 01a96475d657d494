"""Put the public underwater detection set where the configs read it.

The set (https://github.com/LehiChiang/Underwater-object-detection-dataset,
"the dataset of the paper *Underwater Species Detection using Channel
Sharpening Attention*"; no licence file is given: use it for research,
cite the paper, do not redistribute it) is already COCO; only the image
folder differs::

    imgs/{train,val,test}/NNNNNN.jpg
    annotations/coco/instances_{train,val,test}.json

What ``configs/_base_/datasets/underwater.py`` reads (``data/underwater/``)::

    images/{train,val,test}/NNNNNN.jpg        (copied, or linked: --link)
    annotations/coco/instances_{train,val,test}.json

Earlier versions of the repository name a few images ``NNNNNN.xml`` in the
JSON files; such a name is written as the ``.jpg`` that exists beside it.

    python tools/dataset_converters/underwater_to_coco.py PATH/TO/repo data/underwater

Exit status 1, naming the file, when an image a JSON file lists is missing.
"""
import argparse
import json
import os
import os.path as osp
import shutil
import sys

SPLITS = ('train', 'val', 'test')


class LayoutError(ValueError):
    """The source is not the set's public layout (the message names the
    file)."""


def convert_split(src: str, split: str, out_dir: str, link: bool) -> dict:
    """The split's COCO dict with every ``file_name`` an image that exists,
    its images copied (or linked) to ``out_dir/images/<split>``.

    Raises:
        LayoutError: the JSON file or an image it lists is missing.
    """
    ann = osp.join(src, 'annotations', 'coco', f'instances_{split}.json')
    if not osp.isfile(ann):
        raise LayoutError(f'{ann} not found: is {src} the repository '
                          'LehiChiang/Underwater-object-detection-dataset?')
    with open(ann) as f:
        coco = json.load(f)
    os.makedirs(osp.join(out_dir, 'images', split), exist_ok=True)
    for image in coco['images']:
        name = image['file_name']
        if osp.splitext(name)[1] != '.jpg':
            name = osp.splitext(name)[0] + '.jpg'
        path = osp.join(src, 'imgs', split, name)
        if not osp.isfile(path):
            raise LayoutError(f'{ann} lists {image["file_name"]} but '
                              f'{path} is missing')
        image['file_name'] = name
        dst = osp.join(out_dir, 'images', split, name)
        if not osp.lexists(dst):
            if link:
                os.symlink(osp.abspath(path), dst)
            else:
                shutil.copyfile(path, dst)
    return coco


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('src', help='the repository checkout')
    parser.add_argument('out_dir', help='e.g. data/underwater')
    parser.add_argument('--link', action='store_true',
                        help='link the images instead of copying them')
    args = parser.parse_args(argv)
    os.makedirs(osp.join(args.out_dir, 'annotations', 'coco'), exist_ok=True)
    try:
        for split in SPLITS:
            coco = convert_split(args.src, split, args.out_dir, args.link)
            out = osp.join(args.out_dir, 'annotations', 'coco',
                           f'instances_{split}.json')
            with open(out, 'w') as f:
                json.dump(coco, f)
            print(f'{split}: {len(coco["images"])} images, '
                  f'{len(coco["annotations"])} boxes -> {out}')
    except LayoutError as err:
        print(f'underwater_to_coco: {err}', file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
