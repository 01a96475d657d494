"""Images per second one data-loading worker delivers: ZODFAR cropped online
from full ZOD frames against the offline-converted ZODFAR files.

Full-resolution frames (3848 x 2168 JPEG, quality 95) are generated from the
bundled real KITTI frames, scaled up, so the JPEG entropy is that of a real
road scene rather than of noise; they are written in ZOD's layout
(``mmdet_is.testing.write_zod_fixture``) and converted with
``tools/dataset_converters/zod_to_zodfar.py`` (PNG and JPEG outputs).

    python benchmarks/bench_zodfar_pipeline.py [--frames 24] [--repeats 3]

Printed: the conversion rate (frames/s, one process), then the training
pipeline of each dataset config (load, annotations, crop or not, resize,
pack) run in this one process over all frames, rounds interleaved: images/s
per worker and the ratio to the online crop.
"""
import argparse
import glob
import importlib.util
import os.path as osp
import sys
import tempfile
import time

import cv2
from mmengine.config import Config
from mmengine.registry import init_default_scope

from mmdet.registry import DATASETS
from mmdet_is.testing import ZodFixtureObject, write_zod_fixture

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))


def load_converter():
    spec = importlib.util.spec_from_file_location(
        'zod_to_zodfar',
        osp.join(REPO, 'tools', 'dataset_converters', 'zod_to_zodfar.py'))
    module = importlib.util.module_from_spec(spec)
    sys.modules['zod_to_zodfar'] = module
    spec.loader.exec_module(module)
    return module


def write_frames(root: str, n: int) -> None:
    kitti = sorted(glob.glob(osp.join(REPO, 'data', 'kitti_tiny', 'images',
                                      '*.jpg')))
    frames = {f'{i:06d}': ('train', [ZodFixtureObject(
        'Vehicle', (1400, 950, 1600, 1100))]) for i in range(1, n + 1)}
    paths = write_zod_fixture(root, frames, write_images=False)
    for i, (_, path) in enumerate(sorted(paths.items())):
        img = cv2.resize(cv2.imread(kitti[i % len(kitti)]), (3848, 2168),
                         interpolation=cv2.INTER_LINEAR)
        cv2.imwrite(path, img, [cv2.IMWRITE_JPEG_QUALITY, 95])


def build_train_dataset(config: str, **overrides):
    cfg = Config.fromfile(osp.join(REPO, 'configs', '_base_', 'datasets',
                                   config))
    return DATASETS.build(dict(cfg.train_dataloader.dataset, **overrides))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--frames', type=int, default=24)
    parser.add_argument('--repeats', type=int, default=3)
    args = parser.parse_args()
    init_default_scope('mmdet')
    conv = load_converter()
    with tempfile.TemporaryDirectory() as tmp:
        zod = osp.join(tmp, 'zod')
        write_frames(zod, args.frames)
        datasets = {'online crop (ZODDataset + FarRoICrop)':
                    build_train_dataset('zodfar_online.py', data_root=zod,
                                        version='mini')}
        for fmt in ('png', 'jpg'):
            out = osp.join(tmp, f'zodfar_{fmt}')
            t0 = time.perf_counter()
            conv.main([zod, out, '--version', 'mini', '--splits', 'train',
                       '--workers', '0', '--img-format', fmt])
            rate = args.frames / (time.perf_counter() - t0)
            print(f'conversion to {fmt}: {rate:.2f} frames/s in one process')
            datasets[f'offline ZODFAR files ({fmt})'] = build_train_dataset(
                'zodfar.py', data_root=out)
        seconds = {name: 0.0 for name in datasets}
        for name, ds in datasets.items():
            ds[0]  # warm-up: imports, first allocation
        for _ in range(args.repeats):
            for name, ds in datasets.items():
                t0 = time.perf_counter()
                for i in range(len(ds)):
                    ds[i]
                seconds[name] += time.perf_counter() - t0
        n = args.frames * args.repeats
        base = n / seconds[next(iter(datasets))]
        print(f'\n{args.frames} frames x {args.repeats} rounds, one worker:')
        for name, s in seconds.items():
            print(f'{name:40s} {n / s:7.1f} img/s  {n / s / base:5.2f}x')


if __name__ == '__main__':
    main()
