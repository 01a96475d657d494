"""A user's own policy, heuristic, reduction, score and head adapter,
outside the package: what a config loads with
``custom_imports = dict(imports=['user_extensions'])``."""
import numpy as np
import torch

from mmdet_is.datasets.samplers import Selection, SelectionPolicy
from mmdet_is.registry import (HEAD_ADAPTERS, HEURISTICS, IMAGE_SCORES,
                               POLICIES, REDUCTIONS)
from mmdet_is.scoring import ImageScore
from mmdet_is.scoring.adapters import AnchorHeadAdapter


@POLICIES.register_module(name='hardest_first')
class HardestFirstPolicy(SelectionPolicy):
    """The ``k`` highest scores (ties: the lower index first)."""

    def select(self, scores, ages, k, rng):
        return Selection(np.argsort(-scores, kind='stable')[:k], None, {})


@HEURISTICS.register_module(name='confidence_gap')
def confidence_gap(a, iou, giou):
    """``1 - a`` and ``1 - IoU``: how far from certain and from exact."""
    return 1 - a, 1 - iou


@REDUCTIONS.register_module(name='masked_max')
def masked_max(term, mask, obj_inds, num_objects=None):
    """The largest term over the masked locations of each image (0 for
    none): ``(B, P) -> (B,)``."""
    return torch.where(mask, term, torch.zeros_like(term)).amax(1)


@IMAGE_SCORES.register_module()
class ShiftedScore(ImageScore):
    """The ImageScore plus a constant ``shift``, so that no image's score
    is 0."""

    def __init__(self, shift: float = 0.0, **kwargs) -> None:
        super().__init__(**kwargs)
        self.shift = shift

    def __call__(self, ingredients, indices):
        terms = super().__call__(ingredients, indices)
        terms['score'] = terms['score'] + self.shift
        return terms


@HEAD_ADAPTERS.register_module(name='RetinaHead')
class CountingRetinaAdapter(AnchorHeadAdapter):
    """RetinaHead read as its AnchorHead family is, counting its decodes:
    nearer in the MRO than ``AnchorHead``, so it is the one chosen."""
    decodes = 0

    def decode(self, head, bbox_preds, priors, strides):
        type(self).decodes += 1
        return super().decode(head, bbox_preds, priors, strides)
