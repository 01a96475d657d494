"""Reducible hold-out loss (RHO): thesis 4.2.6 after Mindermann et al. 2022;
docs/method.md, "Reducible hold-out loss".

A small model trained once on a hold-out split gives every training image an
irreducible loss ``L_ho(x_i)``; during training an image's score is
``s_i = L_train(x_i) - L_ho(x_i)``, min-max rescaled over all scores
(eq. 4.6, the ``importance`` policy with ``rescale='minmax'``)
and sampled by eq. 4.2 with smoothing (eq. 4.3).

The irreducible losses live in a JSON file written by
``tools/rho/irreducible_loss.py``::

    {"format": "mmdet_is irreducible loss v1", "heuristic": "lis",
     "reduction": "mean", "ignore_regression": false,
     "classes": [...], "checkpoint": "...", "losses": {"<img_id>": float}}
"""
import json
import os
from typing import Dict, Optional, Sequence

import numpy as np
import torch

FORMAT = 'mmdet_is irreducible loss v1'
#: score keys that must agree between the file and training
SCORE_KEYS = ('heuristic', 'reduction', 'ignore_regression')


def rho_scores(train_loss: torch.Tensor,
               irreducible_loss: torch.Tensor) -> torch.Tensor:
    """``s_i = L_train(x_i) - L_ho(x_i)`` (thesis 4.2.6), before eq. 4.6.

    Args:
        train_loss: ``(B,)`` per-image scores of this step
            (:func:`~.image_scores.image_scores`).
        irreducible_loss: ``(B,)`` the same images' hold-out model terms.

    Returns:
        ``(B,)`` reducible hold-out losses; may be negative.
    """
    return train_loss - irreducible_loss.to(train_loss)


def save_irreducible_losses(path: str, losses: Dict[int, float],
                            score_cfg: dict, classes: Sequence[str],
                            checkpoint: str) -> None:
    """Write the irreducible-loss file (temporary name, then renamed).

    Args:
        path: the JSON file.
        losses: image id (the dataset's ``img_id``) -> irreducible loss.
        score_cfg: the ``heuristic``, ``reduction``, ``ignore_regression``
            the losses were computed with.
        classes: the dataset's classes.
        checkpoint: the hold-out model's checkpoint (recorded only).
    """
    record = dict(format=FORMAT, classes=list(classes), checkpoint=checkpoint,
                  losses={str(k): float(v) for k, v in losses.items()},
                  **{k: score_cfg.get(k) for k in SCORE_KEYS})
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path + '.tmp', 'w') as f:
        json.dump(record, f)
    os.replace(path + '.tmp', path)


def load_irreducible_losses(path: str, img_ids: Sequence[int],
                            score_cfg: Optional[dict] = None
                            ) -> np.ndarray:
    """The irreducible loss of every training image, in dataset order.

    Args:
        path: a file of :func:`save_irreducible_losses`.
        img_ids: ``(N,)`` the ``img_id`` of each dataset index.
        score_cfg: the training sampler's score; when given, its
            ``heuristic``/``reduction``/``ignore_regression`` must be the
            file's (``L_train - L_ho`` subtracts like from like).

    Returns:
        ``(N,)`` float64.

    Raises:
        FileNotFoundError: no file at ``path``.
        ValueError: not such a file, another heuristic, or images without an
            irreducible loss (the message gives how many and which ids).
    """
    if not os.path.isfile(path):
        raise FileNotFoundError(
            f'irreducible loss file {path} not found: compute it with '
            'tools/rho/irreducible_loss.py (README, RHO)')
    with open(path) as f:
        record = json.load(f)
    if record.get('format') != FORMAT:
        raise ValueError(f'{path} is not an irreducible loss file '
                         f'(format {record.get("format")!r}, want {FORMAT!r})')
    if score_cfg is not None:
        want = {k: score_cfg.get(k) for k in SCORE_KEYS}
        have = {k: record.get(k) for k in SCORE_KEYS}
        if want != have:
            raise ValueError(f'{path} holds {have} losses but the training '
                             f'run scores with {want}')
    losses = record['losses']
    missing = [i for i in img_ids if str(i) not in losses]
    if missing:
        shown = ', '.join(str(i) for i in missing[:50])
        more = f' and {len(missing) - 50} more' if len(missing) > 50 else ''
        raise ValueError(
            f'{len(missing)} of {len(img_ids)} training images have no '
            f'irreducible loss in {path}: img_id {shown}{more}. Recompute it '
            'for this training set with tools/rho/irreducible_loss.py')
    return np.array([losses[str(i)] for i in img_ids], np.float64)
