"""The far region of interest of ZOD's front camera (ZODFAR, thesis 4.4)."""
from typing import Optional, Sequence, Tuple

import numpy as np
from mmcv.transforms import BaseTransform

from mmdet.registry import TRANSFORMS
from mmdet.structures.bbox import HorizontalBoxes

#: ``(x0, y0, width, height)`` in pixels of the 3848 x 2168 frame: the
#: 1280 x 384 window centred in the image (thesis 4.4: "approximately the
#: middle third in x and the middle sixth in y"; 3848 / 3 = 1283,
#: (3848 - 1280) / 2 = 1284, (2168 - 384) / 2 = 892).
FAR_ROI = (1284, 892, 1280, 384)


def crop_boxes(boxes: np.ndarray, window: Sequence[int],
               min_size: float = 1.0) -> Tuple[np.ndarray, np.ndarray]:
    """Move boxes into a crop window and clip them to it.

    Args:
        boxes: ``(N, 4)`` ``x1, y1, x2, y2`` in pixels of the full image.
        window: ``(x0, y0, width, height)`` of the crop, pixels.
        min_size: boxes whose clipped width or height is below this (pixels)
            are dropped; 1 px matches mmdet's ``CocoDataset``, which skips
            annotations under 1 px, so the online crop and the converted
            ZODFAR files hold the same boxes.

    Returns:
        tuple: ``(M, 4)`` float32 boxes in crop pixels (kept rows only) and
        the ``(N,)`` bool mask of kept rows.
    """
    x0, y0, w, h = window
    hboxes = HorizontalBoxes(np.asarray(boxes, np.float32).reshape(-1, 4))
    hboxes.translate_([-x0, -y0])
    hboxes.clip_((h, w))
    keep = ((hboxes.widths >= min_size) & (hboxes.heights >= min_size)).numpy()
    return hboxes.tensor.numpy()[keep], keep


@TRANSFORMS.register_module()
class FarRoICrop(BaseTransform):
    """Crop a fixed window (ZOD's far RoI) and clip the boxes to it.

    The crop becomes the image: ``img_shape`` and ``ori_shape`` are the
    window's, and ``instances`` (kept for evaluation) are cropped like
    ``gt_bboxes``, so predictions, metrics and visualisation all live in crop
    pixels, exactly as when the converted ZODFAR files are read.

    Required keys: ``img``. Modified keys: ``img``, ``img_shape``,
    ``ori_shape`` and, where present, ``gt_bboxes``, ``gt_bboxes_labels``,
    ``gt_ignore_flags``, ``instances``.

    Args:
        crop_window: ``(x0, y0, width, height)`` in pixels of the full frame;
            default :data:`FAR_ROI`.
        min_size: see :func:`crop_boxes`.

    Raises:
        ValueError: the window does not fit in the image (the message names
            ``img_path``).
    """

    def __init__(self, crop_window: Sequence[int] = FAR_ROI,
                 min_size: float = 1.0) -> None:
        if len(crop_window) != 4 or min(crop_window) < 0 or \
                min(crop_window[2:]) <= 0:
            raise ValueError('FarRoICrop crop_window must be (x0, y0, width, '
                             f'height) with x0, y0 >= 0, got {crop_window}')
        self.crop_window = tuple(int(v) for v in crop_window)
        self.min_size = min_size

    def transform(self, results: dict) -> Optional[dict]:
        x0, y0, w, h = self.crop_window
        img = results['img']
        if x0 + w > img.shape[1] or y0 + h > img.shape[0]:
            raise ValueError(
                f'{results.get("img_path")}: image of {img.shape[1]}x'
                f'{img.shape[0]} px is smaller than the crop window '
                f'{self.crop_window} (x0, y0, width, height)')
        results['img'] = np.ascontiguousarray(img[y0:y0 + h, x0:x0 + w])
        results['img_shape'] = results['ori_shape'] = (h, w)
        if 'gt_bboxes' in results:
            boxes, keep = crop_boxes(results['gt_bboxes'].numpy(),
                                     self.crop_window, self.min_size)
            results['gt_bboxes'] = HorizontalBoxes(boxes)
            for key in ('gt_bboxes_labels', 'gt_ignore_flags'):
                if key in results:
                    results[key] = results[key][keep]
        if 'instances' in results:
            boxes, keep = crop_boxes(
                np.array([i['bbox'] for i in results['instances']]),
                self.crop_window, self.min_size)
            kept = [dict(i) for i, k in zip(results['instances'], keep) if k]
            for inst, box in zip(kept, boxes):
                inst['bbox'] = box.tolist()
            results['instances'] = kept
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(crop_window={self.crop_window}, '
                f'min_size={self.min_size})')
