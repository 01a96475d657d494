"""The ``random`` selection policy: the control of every selection rule."""
import numpy as np

from ....registry import POLICIES
from .selection import Selection, SelectionPolicy, random_subset


@POLICIES.register_module(name='random')
class RandomPolicy(SelectionPolicy):
    """``k`` of the ``M`` scored images, uniformly without replacement:
    what a shorter schedule does, at the same number of images per epoch
    (RS2's random per-epoch subset). It reads no score; its default score
    (``lis``) only feeds the log.

    Args:
        keep_ratio, final_fraction: as :class:`~.selection.SelectionPolicy`.
    """

    default_score = dict(heuristic='lis')

    def select(self, scores: np.ndarray, ages: np.ndarray, k: int,
               rng: np.random.Generator) -> Selection:
        """Args: ``scores`` ``(M,)``, ``ages`` (unused), ``k``, ``rng``."""
        return random_subset(len(scores), k, rng)
