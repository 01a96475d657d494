"""A dataset index that carries the seed of its draw, and the seeds."""
import numpy as np


def draw_seeds(seed: int, positions: np.ndarray) -> np.ndarray:
    """The seeds of the draws at ``positions`` of a sampler's stream
    (global batch number x global batch + slot): SplitMix64 (Steele et
    al., OOPSLA 2014) of the sampler's ``seed`` and the position, ``(k,)``
    uint64. What :class:`~mmdet_is.datasets.SeedAugmentation` seeds the
    pipeline with."""
    with np.errstate(over='ignore'):
        z = np.uint64(seed) * np.uint64(0x9E3779B97F4A7C15) + \
            np.asarray(positions, np.uint64)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))



class DrawnIndex(int):
    """The index of a training image as an ImportanceSampler yields it:
    an ``int`` (every dataset, wrapper and collate function takes it as the
    index it is) that also carries
    ``seed``, a 64-bit number derived from the sampler's seed and the draw's
    position in its stream (global batch number x global batch + slot).

    The position, and so the seed, of a draw is the same in an
    uninterrupted run and in a resumed one, whichever process loads it, so
    a pipeline that seeds its random augmentation from it
    (:class:`~mmdet_is.datasets.SeedAugmentation`) augments the draw
    alike. It survives the pickling to DataLoader workers.
    """

    def __new__(cls, index: int, seed: int) -> 'DrawnIndex':
        obj = super().__new__(cls, index)
        obj.seed = seed
        return obj

    def __reduce__(self):
        return DrawnIndex, (int(self), self.seed)

    def __repr__(self) -> str:
        return f'DrawnIndex({int(self)}, seed={self.seed})'
