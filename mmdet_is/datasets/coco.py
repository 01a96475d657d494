"""mmdet's CocoDataset with the project's box rule (:mod:`.box_rules`)."""
import math
from typing import List, Union

from mmdet.datasets import CocoDataset
from mmdet.registry import DATASETS
from .box_rules import (check_box, clip_box, dropped_box, log_box_counts,
                        refuse_empty)


@DATASETS.register_module()
class CheckedCocoDataset(CocoDataset):
    """A COCO-format data set (``CocoDataset``'s arguments) whose boxes
    follow the rule every data set of this project follows.

    mmdet's ``CocoDataset`` keeps a box that reaches outside its image
    unclipped, drops one wholly outside silently, and keeps a ``NaN``
    coordinate (every comparison with it is False). Here, before mmdet's
    own parsing: a coordinate or area that is not finite raises; each
    ``[x, y, w, h]`` box is clipped to the image and dropped when under 1
    pixel inside it; the numbers clipped and dropped are logged (and kept
    in ``boxes_clipped`` / ``boxes_dropped``, each dropped one named in
    ``dropped_boxes``). An annotation file without
    images is refused.

    Raises:
        ValueError: a box coordinate or area that is not finite, a negative
            width or height (the message names the file, the annotation id
            and the image id); an annotation file that lists no image.
    """

    def load_data_list(self) -> List[dict]:
        self.boxes_clipped, self.dropped_boxes = 0, []
        data_list = super().load_data_list()
        refuse_empty(type(self).__name__, self.ann_file, len(data_list))
        self.boxes_dropped = len(self.dropped_boxes)
        log_box_counts(type(self).__name__, self.ann_file,
                       self.boxes_clipped, self.dropped_boxes)
        return data_list

    def parse_data_info(self, raw_data_info: dict) -> Union[dict, List[dict]]:
        img = raw_data_info['raw_img_info']
        anns = []
        for ann in raw_data_info['raw_ann_info']:
            where = (f'{self.ann_file}: annotation id {ann.get("id")} '
                     f'(image id {img["img_id"]})')
            x, y, w, h = ann['bbox']
            check_box([x, y, x + w, y + h], where)
            if not math.isfinite(float(ann.get('area', 1.0))):
                raise ValueError(f'{where}: area must be a finite number, '
                                 f'got {ann["area"]}')
            box, keep = clip_box([x, y, x + w, y + h], img['width'],
                                 img['height'])
            if not keep:
                self.dropped_boxes.append(
                    dropped_box(where, [x, y, x + w, y + h]))
                continue
            if box != [float(x), float(y), float(x + w), float(y + h)]:
                self.boxes_clipped += 1
            anns.append(dict(ann, bbox=[box[0], box[1], box[2] - box[0],
                                        box[3] - box[1]]))
        return super().parse_data_info(dict(raw_data_info, raw_ann_info=anns))
