"""Per-location importance terms: a classification part and a regression part.

Source: thesis (Huang & Kvernes 2023) sections 4.2.3-4.2.5 and 4.3;
docs/method.md section 2, "Heuristics". Each heuristic maps, per location,

* ``a`` - the predicted probability of the target class (background
  included), shape ``(...)``, in [0, 1];
* ``iou``, ``giou`` - IoU and GIoU of the predicted box with its target, same
  shape, meaningful on positive locations only;

to ``(cls_term, reg_term)`` of the same shape. Probabilities are clamped to
``[EPS, 1 - EPS]`` before any log. A new heuristic is one function
registered in :data:`mmdet_is.registry.HEURISTICS` (a user's module loaded
by ``custom_imports`` can add one)::

    @HEURISTICS.register_module(name='my_score')
    def my_score(a, iou, giou): ...

An image-level heuristic (``min_pr``) takes the whole ingredients dict and
is marked with :func:`image_level`.
"""
from typing import Callable, Tuple

import torch
from torch import Tensor

from ..registry import HEURISTICS, lookup

EPS = 1e-6


def image_level(fn: Callable) -> Callable:
    """Mark ``fn(ingredients, num_objects) -> dict of (B,) parts and
    score`` as an image-level heuristic (it takes no reduction)."""
    fn.image_level = True
    return fn


def get_heuristic(name: str) -> Callable:
    """Look up a heuristic by name.

    Raises:
        KeyError: unknown name; the message lists the registered ones.
    """
    return lookup(HEURISTICS, name, 'the sampler score')


def _clamp(p: Tensor) -> Tensor:
    return p.clamp(EPS, 1 - EPS)


@HEURISTICS.register_module(name='lis')
def lis(a: Tensor, iou: Tensor, giou: Tensor) -> Tuple[Tensor, Tensor]:
    """LIS (4.2.3): the loss itself, ``-log a`` and ``1 - GIoU``."""
    return -torch.log(_clamp(a)), 1 - giou


@HEURISTICS.register_module(name='error')
def error(a: Tensor, iou: Tensor, giou: Tensor) -> Tuple[Tensor, Tensor]:
    """Error (eq. 4.4, after Chang et al.): ``-log a`` and ``-log IoU``."""
    return -torch.log(_clamp(a)), -torch.log(_clamp(iou))


@HEURISTICS.register_module(name='uis')
def uis(a: Tensor, iou: Tensor, giou: Tensor) -> Tuple[Tensor, Tensor]:
    """UIS as printed (eq. 4.5): ``-log(4 a (1 - a))``, ``-log(4 v (1 - v))``.

    ``v = 1 - IoU`` is the IoU loss. Note (docs/method.md): this is 0 at 0.5 and
    grows towards 0 and 1, i.e. it ranks confident predictions highest.
    """
    a, v = _clamp(a), _clamp(1 - iou)
    return -torch.log(4 * a * (1 - a)), -torch.log(4 * v * (1 - v))


@HEURISTICS.register_module(name='closeness')
def closeness(a: Tensor, iou: Tensor, giou: Tensor) -> Tuple[Tensor, Tensor]:
    """Threshold closeness (Chang et al. 2017): ``4 a (1 - a)``, ``4 v (1 - v)``.

    Grows towards the decision boundary a = 0.5 (v = 1 - IoU); in [0, 1].
    """
    a, v = _clamp(a), _clamp(1 - iou)
    return 4 * a * (1 - a), 4 * v * (1 - v)
