"""A detection-quality score from the training pass: ``1 - min(P, R)``.

After AFSS (CVPR 2026, arXiv 2603.17684), which sorts images by the
precision and recall of the detector on them, ``min(P, R)``; here both come
from the ingredients every head already publishes (no extra forward pass,
no NMS), per image:

* **recall proxy** ``R``: the share of the image's cared objects (objects
  with at least one cared location assigned to them; don't-care boxes are
  not objects here) that have a location assigned to them with target-class
  probability ``a >= 0.5`` and box IoU ``>= 0.5``: objects the detector
  would find;
* **precision proxy** ``P``: the share of the image's confidently
  foreground locations (cared, ``fg >= 0.5``) that lie on an object (are
  assigned to one) with box IoU ``>= 0.5``: confident outputs that are
  right in place (the class is not checked; a location on a don't-care box
  counts for neither);

``R = 1`` for an image without cared objects and ``P = 1`` for one without
confident locations: nothing was missed, nothing was wrong. The score
``1 - min(P, R)`` is in [0, 1], 0 for an image the detector gets right and
higher the worse it does on it, so hard images score high, as with every
other heuristic.
"""
from typing import Dict, Optional

import torch
from torch import Tensor

from ..registry import HEURISTICS
from .heuristics import image_level

#: the probability and IoU thresholds of both proxies
PROB_THR = 0.5
IOU_THR = 0.5


@torch.no_grad()
def precision_recall_proxies(ingredients: Dict[str, Tensor],
                             num_objects: Optional[int] = None):
    """Per-image precision and recall proxies (module docstring).

    Args:
        ingredients: ``a``, ``fg``, ``iou``, ``care``, ``obj_inds``, each
            ``(B, P)`` (:mod:`.ingredients`).
        num_objects: an upper bound of ``obj_inds + 1`` known on the host
            (nothing waits for the GPU); default ``ingredients
            ['num_objects']``, else read from the tensor.

    Returns:
        ``precision`` and ``recall``, each ``(B,)`` float in [0, 1].
    """
    a, fg, iou = ingredients['a'], ingredients['fg'], ingredients['iou']
    care, obj_inds = ingredients['care'], ingredients['obj_inds']
    if num_objects is None:
        num_objects = ingredients.get('num_objects')
    if num_objects is None:
        num_objects = int(obj_inds.max().item()) + 1 if obj_inds.numel() \
            else 0
    on_object = (obj_inds >= 0) & care
    well_placed = on_object & (iou >= IOU_THR)
    # recall: objects (groups 1..num_objects) with a found location
    groups = obj_inds.clamp(min=-1) + 1
    per_object = a.new_zeros(a.size(0), num_objects + 1)
    objects = per_object.scatter_add(1, groups, on_object.float())[:, 1:] > 0
    found = per_object.scatter_add(
        1, groups, (well_placed & (a >= PROB_THR)).float())[:, 1:] > 0
    n_objects = objects.sum(1)
    recall = torch.where(n_objects > 0,
                         found.sum(1) / n_objects.clamp(min=1), 1.0)
    # precision: confident locations that lie well on an object
    confident = care & (fg >= PROB_THR)
    n_confident = confident.sum(1)
    precision = torch.where(
        n_confident > 0,
        (confident & well_placed).sum(1) / n_confident.clamp(min=1), 1.0)
    return precision.float(), recall.float()


@HEURISTICS.register_module(name='min_pr')
@image_level
def detection_quality_scores(ingredients: Dict[str, Tensor],
                             num_objects: Optional[int] = None
                             ) -> Dict[str, Tensor]:
    """The ``min_pr`` heuristic: ``score = 1 - min(P, R)`` per image.

    Returns:
        dict of ``(B,)`` tensors: ``precision``, ``recall``, ``score``.
    """
    precision, recall = precision_recall_proxies(ingredients, num_objects)
    return dict(precision=precision, recall=recall,
                score=1 - torch.minimum(precision, recall))
