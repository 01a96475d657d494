"""What naming a corrupt image costs per image: mmcv's
``LoadImageFromFile`` against ``CheckedLoadImageFromFile`` (the decoder's
stderr captured around every decode), side by side in one run.

    python3 benchmarks/bench_image_check.py [--rounds 5]

Every round loads the bundled KITTI frames (1242 x 375 JPEG) with each
transform, in alternating order; printed: the median milliseconds per
image of each and their ratio.
"""
import argparse
import glob
import os.path as osp
import time

import numpy as np

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--rounds', type=int, default=5)
    args = parser.parse_args()
    import mmdet_is  # noqa: F401  (registers CheckedLoadImageFromFile)
    from mmdet.registry import TRANSFORMS
    paths = sorted(glob.glob(osp.join(REPO, 'data', 'kitti_tiny', 'images',
                                      '*.jpg')))
    loaders = {name: TRANSFORMS.build(dict(type=name))
               for name in ('LoadImageFromFile', 'CheckedLoadImageFromFile')}
    times = {name: [] for name in loaders}
    for r in range(args.rounds):
        order = list(loaders) if r % 2 == 0 else list(loaders)[::-1]
        for name in order:
            t0 = time.perf_counter()
            for i, path in enumerate(paths):
                loaders[name](dict(img_path=path, sample_idx=i))
            times[name].append(1e3 * (time.perf_counter() - t0) / len(paths))
    plain, checked = (float(np.median(times[n])) for n in loaders)
    print(f'{len(paths)} KITTI frames (1242 x 375 JPEG), {args.rounds} '
          'rounds, order alternating')
    for name in loaders:
        print(f'{name:<28}{np.median(times[name]):8.3f} ms/image (rounds '
              + ' '.join(f'{t:.3f}' for t in times[name]) + ')')
    print(f'ratio checked / plain: {checked / plain:.3f} '
          f'(+{checked - plain:.3f} ms an image)')


if __name__ == '__main__':
    main()
