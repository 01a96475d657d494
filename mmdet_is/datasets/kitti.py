"""KITTI 2D object labels mapped to the ZOD classes.

Label format: the KITTI object development kit (``label_2``), one object per
line: ``type truncated occluded alpha x1 y1 x2 y2 h w l x y z rotation_y``.
Class mapping: docs/method.md / issue 3 (ZOD classes, thesis section 4.4).
"""
import os.path as osp
from typing import Dict, List, Optional

from mmengine.fileio import get_local_path, list_from_file
from PIL import Image

from mmdet.datasets import BaseDetDataset
from mmdet.registry import DATASETS
from .box_rules import check_box, clip_instances, log_box_counts, refuse_empty

#: KITTI type -> ZOD class; ``None`` marks a don't-care region.
KITTI_TO_ZOD: Dict[str, Optional[str]] = {
    'Car': 'Vehicle',
    'Van': 'Vehicle',
    'Truck': 'Vehicle',
    'Tram': 'Vehicle',
    'Pedestrian': 'Pedestrian',
    'Person_sitting': 'Pedestrian',
    'Cyclist': 'VulnerableVehicle',
    'DontCare': None,
    'Misc': None,
}


def parse_kitti_label(path: str, classes: List[str]) -> List[dict]:
    """Read one KITTI ``label_2`` file into mmdet instances.

    Args:
        path: the label file.
        classes: the dataset's class names; ``bbox_label`` indexes it.

    Returns:
        list[dict]: per object ``where`` (file and line), ``bbox``
        ``[x1, y1, x2, y2]`` in pixels (KITTI's
        inclusive corners taken as they are), ``bbox_label`` (int, 0 for
        don't-care) and ``ignore_flag`` (1 for DontCare and Misc, which
        become ignore regions / ``iscrowd`` in evaluation).

    Raises:
        ValueError: a line with fewer than 15 fields, a non-numeric or
            non-finite box, a box with ``x2 < x1`` or ``y2 < y1``, or an
            unknown type; the message names the file and the 1-based line
            number.
    """
    instances = []
    with open(path) as f:
        lines = f.read().splitlines()
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        fields = line.split()
        where = f'{path}, line {lineno}'
        if len(fields) < 15:
            raise ValueError(f'{where}: expected 15 fields (type truncated '
                             f'occluded alpha x1 y1 x2 y2 h w l x y z ry), '
                             f'got {len(fields)}: {line!r}')
        kitti_type = fields[0]
        if kitti_type not in KITTI_TO_ZOD:
            raise ValueError(f'{where}: unknown KITTI type {kitti_type!r}; '
                             f'known: {sorted(KITTI_TO_ZOD)}')
        try:
            x1, y1, x2, y2 = (float(v) for v in fields[4:8])
        except ValueError:
            raise ValueError(f'{where}: box fields 5-8 are not numbers: '
                             f'{fields[4:8]}') from None
        check_box([x1, y1, x2, y2], where)
        zod_class = KITTI_TO_ZOD[kitti_type]
        instances.append(
            dict(
                where=where,
                bbox=[x1, y1, x2, y2],
                bbox_label=0 if zod_class is None else classes.index(zod_class),
                ignore_flag=int(zod_class is None)))
    return instances


@DATASETS.register_module()
class KittiDataset(BaseDetDataset):
    """KITTI 2D detection frames with the ZOD classes.

    Layout under ``data_root``: ``data_prefix['img']`` holds ``<id>.jpg`` (or
    ``img_suffix``), ``data_prefix['label']`` holds ``<id>.txt`` label_2 files,
    and ``ann_file`` is a text file of frame ids, one per line (the split).

    Classes ``Pedestrian, Vehicle, VulnerableVehicle, Animal`` (ZOD's); see
    :data:`KITTI_TO_ZOD`. DontCare and Misc become ignored instances
    (``ignore_flag=1``), which mmdet passes to the head as
    ``gt_instances_ignore`` and CocoMetric treats as ``iscrowd`` regions.
    Each data info carries ``width`` and ``height`` (pixels, read from the
    image header), ``frame_id`` (the KITTI id, a string) and ``img_id`` (the
    same id as an int, as COCO evaluation wants; stable across splits, so
    files keyed by it, such as RHO's irreducible losses, survive a re-split).

    Boxes follow the project's rule (:mod:`.box_rules`): clipped to the
    image, dropped when under 1 pixel inside it, counted in the log and in
    ``boxes_clipped`` / ``boxes_dropped``; ``dropped_boxes`` names each
    dropped one by file and line.

    Raises:
        FileNotFoundError: the split file, an image or a label file is
            missing (the message names the path).
        ValueError: an empty split, a frame id that is not a number, a
            repeated frame id (the message names the split file), a
            malformed label line (see :func:`parse_kitti_label`).
    """

    METAINFO = dict(
        classes=('Pedestrian', 'Vehicle', 'VulnerableVehicle', 'Animal'),
        palette=[(220, 20, 60), (0, 0, 142), (119, 11, 32), (0, 150, 0)])

    def __init__(self, *args, img_suffix: str = '.jpg', **kwargs) -> None:
        self.img_suffix = img_suffix
        kwargs.setdefault('data_prefix', dict(img='images', label='labels'))
        super().__init__(*args, **kwargs)

    def load_data_list(self) -> List[dict]:
        if not osp.isfile(self.ann_file):
            raise FileNotFoundError(
                f'KITTI split file not found: {self.ann_file}')
        with get_local_path(self.ann_file) as local:
            frame_ids = [i.strip() for i in list_from_file(local) if i.strip()]
        refuse_empty('KittiDataset', self.ann_file, len(frame_ids))
        if len(set(frame_ids)) < len(frame_ids):
            raise ValueError(f'{self.ann_file} lists a frame id twice')
        classes = list(self.metainfo['classes'])
        data_list, clipped, dropped = [], 0, []
        for frame_id in frame_ids:
            if not frame_id.isdigit():
                raise ValueError(f'{self.ann_file}: KITTI frame id '
                                 f'{frame_id!r} is not a number')
            img_path = osp.join(self.data_prefix['img'],
                                frame_id + self.img_suffix)
            label_path = osp.join(self.data_prefix['label'], frame_id + '.txt')
            for path in (img_path, label_path):
                if not osp.isfile(path):
                    raise FileNotFoundError(
                        f'KITTI frame {frame_id} listed in {self.ann_file}: '
                        f'{path} not found')
            with Image.open(img_path) as img:
                width, height = img.size
            instances, c, d = clip_instances(
                parse_kitti_label(label_path, classes), width, height)
            clipped, dropped = clipped + c, dropped + d
            data_list.append(
                dict(
                    img_id=int(frame_id),
                    frame_id=frame_id,
                    img_path=img_path,
                    width=width,
                    height=height,
                    instances=instances))
        self.boxes_clipped, self.boxes_dropped = clipped, len(dropped)
        self.dropped_boxes = dropped
        log_box_counts('KittiDataset', self.ann_file, clipped, dropped)
        return data_list
