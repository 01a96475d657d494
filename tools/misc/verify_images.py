"""List the images of a data set that do not decode cleanly.

    python3 tools/misc/verify_images.py CONFIG [--split train|val|test]

libjpeg reports damaged JPEG data on stderr ("Corrupt JPEG data: 2
extraneous bytes before marker 0xd9") without the file's name and decodes
what it can, so training goes on with a garbled image. This tool builds the
split's dataset from the config (wrappers included), decodes every image
with OpenCV as mmcv's ``LoadImageFromFile`` does, captures what the decoder
writes to stderr (``mmdet_is.datasets.image_check``, which
``CheckedLoadImageFromFile`` uses during training), and prints each file
that failed or was reported; the exit status is 1 when any was.
"""
import argparse
import sys
from typing import Optional

import cv2
import numpy as np

from mmdet_is.datasets.image_check import decode_messages


def decode_report(path: str) -> Optional[str]:
    """What decoding ``path`` went wrong with: the decoder's messages, or
    ``'not decodable'``; None when it decoded cleanly."""
    with open(path, 'rb') as f:
        data = np.frombuffer(f.read(), np.uint8)
    img, message = decode_messages(
        lambda: cv2.imdecode(data, cv2.IMREAD_COLOR))
    if img is None:
        return message or 'not decodable'
    return message or None


def image_paths(dataset):
    """Every ``img_path`` of a dataset (``get_data_info``), in index order."""
    return [dataset.get_data_info(i)['img_path'] for i in range(len(dataset))]


def main(argv=None) -> int:
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('--split', default='train',
                        choices=['train', 'val', 'test'])
    args = parser.parse_args(argv)
    cfg = Config.fromfile(args.config)
    if cfg.get('custom_imports'):
        from mmengine.utils import import_modules_from_strings
        import_modules_from_strings(**cfg.custom_imports)
    init_default_scope(cfg.get('default_scope', 'mmdet'))
    from mmdet.registry import DATASETS
    dataset = DATASETS.build(cfg[f'{args.split}_dataloader'].dataset)
    bad = [(p, r) for p in image_paths(dataset)
           if (r := decode_report(p)) is not None]
    for path, report in bad:
        print(f'{path}: {report}')
    print(f'{len(bad)} of {len(dataset)} images of the {args.split} split '
          'did not decode cleanly')
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
