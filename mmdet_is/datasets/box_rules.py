"""One rule for the boxes of every data set this project ships.

``KittiDataset``, ``ZODDataset`` and ``CheckedCocoDataset`` (the underwater
and DeepPCB configs) apply it while they load their annotations:

* a coordinate that is not a finite number, or a box with ``x2 < x1`` or
  ``y2 < y1``, stops loading with a ``ValueError`` that names the file and
  the line (or annotation id);
* every box is clipped to its image, ``[0, width] x [0, height]`` pixels;
* a box whose clipped width or height is under 1 pixel (outside the image,
  or degenerate) is dropped, as mmdet's ``CocoDataset`` and the ZODFAR crop
  drop such boxes;
* the data set logs how many boxes it clipped and dropped (a warning when
  any), naming the file and line (or annotation id) of the first dropped
  ones.
"""
import math
from typing import List, Sequence, Tuple

from mmengine.logging import print_log

#: boxes narrower or lower than this after clipping are dropped (pixels)
MIN_SIDE = 1.0
#: dropped boxes the log names at most
SHOWN = 10


def check_box(box: Sequence[float], where: str) -> None:
    """Raises ValueError naming ``where`` (file and line, or annotation id)
    unless ``box`` ``[x1, y1, x2, y2]`` has finite coordinates with
    ``x1 <= x2`` and ``y1 <= y2``."""
    x1, y1, x2, y2 = (float(v) for v in box)
    if not all(math.isfinite(v) for v in (x1, y1, x2, y2)):
        raise ValueError(f'{where}: box coordinates must be finite numbers, '
                         f'got {list(box)}')
    if x2 < x1 or y2 < y1:
        raise ValueError(f'{where}: box has x2 < x1 or y2 < y1: {list(box)}')


def clip_box(box: Sequence[float], width: float,
             height: float) -> Tuple[List[float], bool]:
    """``box`` ``[x1, y1, x2, y2]`` pixels clipped to the image; and
    whether it is kept (its clipped sides are both >= ``MIN_SIDE``)."""
    x1, y1, x2, y2 = (float(v) for v in box)
    clipped = [min(max(x1, 0.0), width), min(max(y1, 0.0), height),
               min(max(x2, 0.0), width), min(max(y2, 0.0), height)]
    keep = (clipped[2] - clipped[0] >= MIN_SIDE and
            clipped[3] - clipped[1] >= MIN_SIDE)
    return clipped, keep


def dropped_box(where: str, box: Sequence[float]) -> str:
    """How the log names a dropped box: where it is and its corners."""
    return f'{where} {[round(float(v), 2) for v in box]}'


def clip_instances(instances: List[dict], width: float, height: float,
                   where: str = '') -> Tuple[List[dict], int, List[str]]:
    """Clip every instance's ``bbox`` to the image and drop those under
    ``MIN_SIDE``. An instance's ``where`` key (file and line, set by the
    parser) names it, else ``where``; the key is not kept.

    Returns:
        ``(kept instances, number clipped, dropped)``: an instance counts
        as clipped when its box changed and was kept; ``dropped`` names
        each dropped box (:func:`dropped_box`).
    """
    kept, clipped, dropped = [], 0, []
    for inst in instances:
        inst = dict(inst)
        place = inst.pop('where', where)
        box, keep = clip_box(inst['bbox'], width, height)
        if not keep:
            dropped.append(dropped_box(place, inst['bbox']))
            continue
        if box != [float(v) for v in inst['bbox']]:
            clipped += 1
        kept.append(dict(inst, bbox=box))
    return kept, clipped, dropped


def log_box_counts(dataset: str, source: str, clipped: int,
                   dropped: List[str]) -> None:
    """The count of boxes changed while loading ``source`` (a warning when
    any box was clipped or dropped), naming the first ``SHOWN`` dropped
    ones (``dropped``: :func:`dropped_box` of each)."""
    import logging
    named = ''
    if dropped:
        more = (f' and {len(dropped) - SHOWN} more'
                if len(dropped) > SHOWN else '')
        named = ': ' + '; '.join(dropped[:SHOWN]) + more
    print_log(
        f'{dataset} {source}: {clipped} boxes clipped to their image and '
        f'{len(dropped)} dropped (under {MIN_SIDE:g} px inside it){named}',
        logger='current',
        level=logging.WARNING if clipped or dropped else logging.INFO)


def refuse_empty(dataset: str, source: str, n: int) -> None:
    """Raises ValueError naming ``source`` when a split holds no image."""
    if n == 0:
        raise ValueError(f'{dataset}: {source} lists no image; give a split '
                         'with at least one')
