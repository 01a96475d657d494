"""A user's own policy and heuristic, outside the package: what a config
loads with ``custom_imports = dict(imports=['user_extensions'])``."""
import numpy as np

from mmdet_is.datasets.samplers import Selection, SelectionPolicy
from mmdet_is.registry import HEURISTICS, POLICIES


@POLICIES.register_module(name='hardest_first')
class HardestFirstPolicy(SelectionPolicy):
    """The ``k`` highest scores (ties: the lower index first)."""

    def select(self, scores, ages, k, rng):
        return Selection(np.argsort(-scores, kind='stable')[:k], None, {})


@HEURISTICS.register_module(name='confidence_gap')
def confidence_gap(a, iou, giou):
    """``1 - a`` and ``1 - IoU``: how far from certain and from exact."""
    return 1 - a, 1 - iou
