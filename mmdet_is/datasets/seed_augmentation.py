"""Random augmentation that a resumed run repeats exactly."""
import random

import numpy as np
from mmcv.transforms import BaseTransform

from mmdet.registry import TRANSFORMS


@TRANSFORMS.register_module()
class SeedAugmentation(BaseTransform):
    """Seed Python's ``random`` and NumPy's global generator from the draw
    of the sample being loaded, before the random transforms after it.

    mmengine seeds each DataLoader worker once (persistent workers) or at
    every epoch, and a resumed run starts them afresh, so a random
    transform (``RandomFlip``, ...) draws other numbers after a resume than
    the uninterrupted run did, and the training steps differ. With an
    ImportanceSampler or SelectionSampler every index is a
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
