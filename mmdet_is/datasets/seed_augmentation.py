"""Random augmentation that a resumed run repeats exactly."""
import logging
import random

import numpy as np
from mmcv.transforms import BaseTransform
from mmengine.logging import print_log

from mmdet.registry import TRANSFORMS


@TRANSFORMS.register_module()
class SeedAugmentation(BaseTransform):
    """Seed Python's ``random`` and NumPy's global generator from the draw
    of the sample being loaded, before the random transforms after it.

    mmengine seeds each DataLoader worker once (persistent workers) or at
    every epoch, and a resumed run starts them afresh, so a random
    transform (``RandomFlip``, ...) draws other numbers after a resume than
    the uninterrupted run did, and the training steps differ. With an
    ImportanceSampler every index is a
    :class:`~mmdet_is.datasets.samplers.DrawnIndex` whose ``seed`` depends
    only on the sampler's seed and the draw's position in the stream; this
    transform seeds ``random`` and ``np.random`` with it, so each draw is
    augmented the same in every run, with any number of workers, persistent
    or not, and after a resume. Put it first in the training pipeline:

        train_pipeline = [dict(type='SeedAugmentation'),
                          dict(type='LoadImageFromFile'), ...]

    With another sampler (a plain ``int`` ``sample_idx``), or through
    dataset wrappers, whose inner index is a plain ``int``, it does
    nothing. ``torch``'s generator is not seeded (mmdet's transforms draw
    from ``random`` and ``np.random``).

    Required keys: ``sample_idx`` (set by mmengine's ``BaseDataset``).
    """

    def transform(self, results: dict) -> dict:
        seed = getattr(results.get('sample_idx'), 'seed', None)
        if seed is not None:
            random.seed(seed)
            np.random.seed(seed % 2**32)
        return results


def warn_unseeded_augmentation(dataset) -> bool:
    """Warn (and return True) when the training pipeline has a random
    transform (``Random*``, ``Mosaic``, ``MixUp``, ...) with no
    ``SeedAugmentation`` before it: a resumed run would augment otherwise
    than the uninterrupted one."""
    transforms = getattr(getattr(dataset, 'pipeline', None), 'transforms',
                         [])
    for name in [type(t).__name__ for t in transforms]:
        if name == 'SeedAugmentation':
            return False
        if name.startswith('Random') or name in ('Mosaic', 'MixUp',
                                                 'YOLOXHSVRandomAug'):
            print_log(
                f'the training pipeline draws random augmentation ({name}) '
                'with no SeedAugmentation before it: a resumed run will not '
                'augment as the uninterrupted one did. Add '
                "dict(type='SeedAugmentation') before it for an exact "
                'resume.', logger='current', level=logging.WARNING)
            return True
    return False
