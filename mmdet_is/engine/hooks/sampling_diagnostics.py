"""What the log shows of the sampling, beside the sampler's own numbers:
which classes the images trained hold, and what the importance work costs
per iteration."""
from typing import Dict

import numpy as np
import torch

from ...models.utils.importance_ingredients import elapsed_seconds


def classes_per_image(dataset):
    """``(N, C)`` bool: the classes of each image's instances (ignored ones
    left out), from ``get_data_info`` (also through dataset wrappers); None
    for a dataset without mmdet instances."""
    names = getattr(dataset, 'metainfo', {}).get('classes')
    if not names or not hasattr(dataset, 'get_data_info'):
        return None
    classes = np.zeros((len(dataset), len(names)), bool)
    for i in range(len(dataset)):
        for inst in dataset.get_data_info(i).get('instances', []):
            if not inst.get('ignore_flag', 0):
                classes[i, inst['bbox_label']] = True
    return classes


class SamplingDiagnostics:
    """Accumulates, step by step, what :class:`ImportanceSamplingHook` logs
    once per logging interval (``train/importance_*``):

    * ``exposure_<class>``: the share of the images trained in the
      interval that hold the class, over its share in the training set
      (1 = as uniform sampling);
    * ``epoch_images_<class>``: the images of the policy's current epoch
      plan holding each class (per-epoch selection);
    * ``time_ms``: ingredients + scoring + update + draws per iteration
      (CUDA events on a GPU, read here, once per interval);
    * the batch means of the score's parts (``cls``, ``reg``;
      ``precision``, ``recall`` for ``min_pr``).

    Args:
        dataset: the training set.
    """

    def __init__(self, dataset) -> None:
        self.names = getattr(dataset, 'metainfo', {}).get('classes', ())
        self.classes = classes_per_image(dataset)
        self.share = None if self.classes is None else self.classes.mean(0)
        self.exposure = 0 if self.classes is None else np.zeros(
            self.classes.shape[1])
        self.images = 0
        self._reset()

    def _reset(self) -> None:
        self.seconds, self.timings, self.parts = 0.0, [], {}

    def _name(self, c: int) -> str:
        return self.names[c] if c < len(self.names) else str(c)

    def step(self, idx: np.ndarray, terms: dict, timings: list,
             draw_seconds: float) -> None:
        """One training step: the images ``idx`` trained, the score's
        ``terms`` (``(B,)`` tensors), the timing records of the ingredients
        and the scoring, and the host seconds of the draws since the last
        step."""
        if self.classes is not None:
            self.exposure = self.exposure + self.classes[idx].sum(0)
            self.images += len(idx)
        self.seconds += draw_seconds
        self.timings += timings
        for key, value in terms.items():
            if key != 'score':
                self.parts.setdefault(key, []).append(value.mean())

    def stats(self, epoch_images) -> Dict[str, float]:
        """The interval's numbers (and a new interval); ``epoch_images``:
        the sampler's current epoch plan, or None."""
        stats = dict(time_ms=1e3 * (self.seconds + sum(
            elapsed_seconds(t) for t in self.timings)) / max(
                len(self.timings) // 2, 1))
        for key, values in self.parts.items():
            stats[key] = float(torch.stack(values).float().mean())
        self._reset()
        if self.classes is None:
            return stats
        if self.images:
            share = self.exposure / self.images
            for c, (s, base) in enumerate(zip(share, self.share)):
                if base > 0:
                    stats[f'exposure_{self._name(c)}'] = float(s / base)
            self.exposure[:] = 0
            self.images = 0
        if epoch_images is not None:
            counts = self.classes[epoch_images].sum(0)
            stats.update({f'epoch_images_{self._name(c)}': float(v)
                          for c, v in enumerate(counts)})
        return stats
