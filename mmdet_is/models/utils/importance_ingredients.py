"""The scoring contract, declared on the models side: what a detection head
publishes after its loss.

A head (natively, as :class:`~mmdet_is.models.FCOSSoftmaxHead`, or through an
adapter around a stock mmdet head, :mod:`mmdet_is.scoring.adapters`)
publishes, for the step it just computed and without gradients, the
per-location ingredients of every importance heuristic. It chooses no
heuristic: :class:`~mmdet_is.engine.ImportanceSamplingHook` carries the
ingredients to the sampler, whose score config
(:class:`~mmdet_is.scoring.ImageScore`) turns them into one score per image.
Scoring depends on this module, never the reverse. For ``B`` images with
``P`` locations each (all levels of the image, flattened in the head's own
order):

* ``a`` ``(B, P)`` float in [0, 1]: probability of the location's target
  class, background included (:func:`softmax_target_prob`,
  :func:`sigmoid_target_prob`);
* ``fg`` ``(B, P)`` float in [0, 1]: probability that the location holds
  an object of any class (:func:`softmax_foreground_prob`,
  :func:`sigmoid_foreground_prob`);
* ``iou``, ``giou`` ``(B, P)`` float: IoU in [0, 1] and GIoU in [-1, 1] of
  the location's predicted box with its target box, 0 where
  ``obj_inds < 0`` (:func:`aligned_overlaps`);
* ``care`` ``(B, P)`` bool: the location's classification counts (False on
  don't-care or ignored locations);
* ``obj_inds`` ``(B, P)`` long: the object (index into the image's ground
  truth boxes, followed by its don't-care boxes where the head has them) the
  location is assigned to, -1 for background;
* ``num_objects`` (int, on the host): the most objects of an image of the
  batch, so that object-wise reductions size their groups without reading
  the GPU.

The head publishes them into its :class:`IngredientsTap`, which the hook
holds. Timing keys, filled by :meth:`IngredientsTap.publish`: ``seconds``
(host time spent building them) and, on a GPU, ``events`` (CUDA start and
end events). A policy that weights the loss reaches the head through one
metainfo key, :data:`IMPORTANCE_WEIGHT_KEY`.
"""
import time
from typing import Dict, List, Optional, Tuple

import torch
from torch import Tensor

from mmdet.structures.bbox import bbox_overlaps

INGREDIENT_KEYS = ('a', 'fg', 'iou', 'giou', 'care', 'obj_inds')
#: the data sample metainfo key of an image's loss weight: written by
#: :class:`~mmdet_is.engine.ImportanceSamplingHook` before the step, read
#: by a head that applies it (``FCOSSoftmaxHead``)
IMPORTANCE_WEIGHT_KEY = 'importance_weight'


def flatten_levels(maps: List[Tensor], channels: int) -> Tensor:
    """Per-level ``(B, A * channels, H, W)`` maps to ``(B, P, channels)``,
    as mmdet flattens them (level after level, location-major)."""
    return torch.cat([
        m.permute(0, 2, 3, 1).reshape(m.size(0), -1, channels) for m in maps
    ], 1)


def softmax_target_prob(logits: Tensor, labels: Tensor) -> Tensor:
    """``a`` of a softmax head: ``softmax(logits)[label]``.

    Args:
        logits: ``(B, P, C + 1)``, index ``C`` = background.
        labels: ``(B, P)`` long in ``[0, C]``.

    Returns:
        ``(B, P)`` probabilities.
    """
    probs = logits.detach().float().softmax(-1)
    return probs.gather(-1, labels.unsqueeze(-1)).squeeze(-1)


def sigmoid_target_prob(logits: Tensor, labels: Tensor) -> Tensor:
    """``a`` of a sigmoid (focal-loss) head, which has no background class.

    On a positive location (label ``c < C``) ``a = sigmoid(logit_c)``; on a
    negative one (label ``C``) ``a = 1 - max_c sigmoid(logit_c)``: the
    probability that no class is present as the most confident class sees
    it. Both are in [0, 1] and near 1 when the location is classified right.

    Args:
        logits: ``(B, P, C)``.
        labels: ``(B, P)`` long in ``[0, C]``, ``C`` = background.

    Returns:
        ``(B, P)`` probabilities.
    """
    probs = logits.detach().float().sigmoid()
    num_classes = probs.size(-1)
    pos = labels < num_classes
    target = probs.gather(-1, labels.clamp(max=num_classes - 1).unsqueeze(-1))
    return torch.where(pos, target.squeeze(-1), 1 - probs.amax(-1))


def softmax_foreground_prob(logits: Tensor) -> Tensor:
    """``fg`` of a softmax head: ``1 - softmax(logits)[C]``, the probability
    of any object class.

    Args:
        logits: ``(B, P, C + 1)``, index ``C`` = background.

    Returns:
        ``(B, P)`` probabilities.
    """
    return 1 - logits.detach().float().softmax(-1)[..., -1]


def sigmoid_foreground_prob(logits: Tensor) -> Tensor:
    """``fg`` of a sigmoid head: ``max_c sigmoid(logit_c)``, the most
    confident class (what its score threshold and NMS see).

    Args:
        logits: ``(B, P, C)``.

    Returns:
        ``(B, P)`` probabilities.
    """
    return logits.detach().float().sigmoid().amax(-1)


def aligned_overlaps(pred_boxes: Tensor, target_boxes: Tensor,
                     obj_inds: Tensor) -> Tuple[Tensor, Tensor]:
    """IoU and GIoU of each location's box with its target, 0 on background.

    Computed at every location and then masked, so that no shape depends on
    the data (no host-device synchronisation).

    Args:
        pred_boxes, target_boxes: ``(B, P, 4)`` ``(x1, y1, x2, y2)`` in any
            one unit (both are scale invariant).
        obj_inds: ``(B, P)`` long, -1 on background.

    Returns:
        iou ``(B, P)`` in [0, 1], giou ``(B, P)`` in [-1, 1].
    """
    pos = obj_inds >= 0
    flat_pred = pred_boxes.detach().reshape(-1, 4).float()
    flat_target = target_boxes.detach().reshape(-1, 4).float()
    iou, giou = (torch.where(
        pos, bbox_overlaps(flat_pred, flat_target, mode=mode,
                           is_aligned=True).view(pos.shape), 0.0)
                 for mode in ('iou', 'giou'))
    return iou, giou


def host_to_device(values: List[float], dtype: torch.dtype,
                   device: torch.device) -> Tensor:
    """``(N,)`` tensor of host ``values`` on ``device``; to a GPU through
    pinned memory with a non-blocking copy, so the host does not wait for
    the GPU's queue as a copy from pageable memory does."""
    values = torch.tensor(values, dtype=dtype)
    if device.type != 'cuda':
        return values.to(device)
    return values.pin_memory().to(device, non_blocking=True)


def start_timer(device: torch.device) -> Tuple[float, Optional[tuple]]:
    """Host clock and, on a GPU, a recorded CUDA start event."""
    events = None
    if device.type == 'cuda':
        events = (torch.cuda.Event(enable_timing=True),
                  torch.cuda.Event(enable_timing=True))
        events[0].record()
    return time.perf_counter(), events


def stop_timer(timer: Tuple[float, Optional[tuple]]) -> dict:
    """``seconds`` (host) and ``events`` (CUDA, or None) since ``timer``;
    nothing waits for the GPU."""
    t0, events = timer
    if events is not None:
        events[1].record()
    return dict(seconds=time.perf_counter() - t0, events=events)


def elapsed_seconds(timing: dict) -> float:
    """Seconds of a :func:`stop_timer` record (or a published ingredients
    dict): on a GPU the time between its CUDA events (waits for the end
    event), else the host time."""
    events = timing['events']
    if events is None:
        return timing['seconds']
    events[1].synchronize()
    return events[0].elapsed_time(events[1]) / 1e3


class IngredientsTap:
    """Carries one training step's ingredients from a head to the hook.

    The head that computes them (:class:`~mmdet_is.models.FCOSSoftmaxHead`
    natively, a stock head through its adapter,
    :func:`mmdet_is.scoring.attach_ingredients`) owns the tap and
    :meth:`publish` es into it after its loss; the
    :class:`~mmdet_is.engine.ImportanceSamplingHook`, which attached the
    head and so holds the same tap, :meth:`pop` s them after the step. One
    object per head, no process-global slot: two models in one process
    never see each other's ingredients.
    """

    def __init__(self) -> None:
        #: the last step's record, until popped: :data:`INGREDIENT_KEYS`
        #: ``(B, P)`` tensors, ``num_objects``, ``seconds``, ``events``
        self.last: Optional[dict] = None

    def publish(self, ingredients: Dict[str, Tensor], num_objects: int,
                timer: Tuple[float, Optional[tuple]]) -> None:
        """Keep one step's ingredients (replacing an unpopped record).

        Args:
            ingredients: :data:`INGREDIENT_KEYS`, each ``(B, P)``.
            num_objects: most objects of an image of the batch.
            timer: :func:`start_timer` of when building them began.

        Raises:
            ValueError: a key is missing or the shapes differ (names them).
        """
        shapes = {k: tuple(ingredients[k].shape) for k in INGREDIENT_KEYS
                  if k in ingredients}
        missing = [k for k in INGREDIENT_KEYS if k not in ingredients]
        if missing or len(set(shapes.values())) != 1 or \
                len(next(iter(shapes.values()))) != 2:
            raise ValueError(f'importance ingredients need {INGREDIENT_KEYS}'
                             f' of one shape (B, P); missing {missing}, '
                             f'shapes {shapes}')
        record = {k: ingredients[k] for k in INGREDIENT_KEYS}
        record.update(num_objects=int(num_objects), **stop_timer(timer))
        self.last = record

    def pop(self) -> Optional[dict]:
        """The last step's record, taken out of the tap (None if no step
        published since the last pop)."""
        record, self.last = self.last, None
        return record
