"""A dataset index that carries the seed of its draw."""


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
