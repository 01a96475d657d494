"""A few ZOD Frames written in ZOD's on-disk layout, for tests and benchmarks.

Nobody here has ZOD; this writes what the ``zod`` devkit (PyPI ``zod``
0.8.0, ``ZodFrames``) reads: ``trainval-frames-{mini,full}.json`` with one
information record per frame (paths relative to the dataset root), the
object-detection annotation ``single_frames/<id>/annotations/
object_detection.json`` (a list of GeoJSON-like objects with
``geometry.coordinates`` and ``properties.class/type/unclear``) and the
front-camera JPEG ``single_frames/<id>/camera_front_<anonymisation>/<id>_....jpg``.
"""
import json
import os
import os.path as osp
from typing import Dict, List, NamedTuple, Optional, Sequence, Tuple

import numpy as np
from PIL import Image

TIME = '2022-06-01T12:00:00.000000+00:00'


class ZodFixtureObject(NamedTuple):
    """One annotated object: ZOD ``class`` and ``type``, box in pixels."""
    cls: str
    box: Tuple[float, float, float, float]  # x1, y1, x2, y2 (full frame)
    unclear: bool = False
    type: Optional[str] = None


def _object_json(i: int, obj: ZodFixtureObject) -> dict:
    x1, y1, x2, y2 = obj.box
    props = {'annotation_uuid': f'uuid-{i}', 'class': obj.cls,
             'unclear': obj.unclear}
    if obj.type is not None:
        props['type'] = obj.type
    return {'geometry': {'type': 'MultiPoint',
                         'coordinates': [[x1, y1], [x2, y1], [x2, y2],
                                         [x1, y2]]},
            'properties': props}


def _info_json(frame_id: str, img_rel: str, ann_rel: str,
               size: Tuple[int, int], anonymization: str) -> dict:
    base = f'single_frames/{frame_id}'
    return {
        'id': frame_id, 'start_time': TIME, 'end_time': TIME,
        'keyframe_time': TIME,
        'calibration_path': f'{base}/calibration.json',
        'ego_motion_path': f'{base}/ego_motion.json',
        'metadata_path': f'{base}/metadata.json',
        'oxts_path': f'{base}/oxts.hdf5', 'vehicle_data_path': None,
        'annotations': {'object_detection': {
            'filepath': ann_rel, 'project': 'object_detection'}},
        'camera_frames': {f'front_{anonymization}': [{
            'filepath': img_rel, 'time': TIME, 'width': size[0],
            'height': size[1]}]},
        'lidar_frames': {},
    }


def write_zod_fixture(root: str,
                      frames: Dict[str, Tuple[str, Sequence[ZodFixtureObject]]],
                      version: str = 'mini',
                      size: Tuple[int, int] = (3848, 2168),
                      anonymization: str = 'blur',
                      seed: int = 0,
                      write_images: bool = True) -> Dict[str, str]:
    """Write ZOD Frames ``frames`` under ``root``.

    Args:
        root: the dataset root (created).
        frames: frame id (6 digits) -> (split ``'train'``/``'val'``, objects).
        version: ``'mini'`` or ``'full'``: the name of the trainval file.
        size: image (width, height) in pixels; ZOD's front camera is
            3848 x 2168.
        anonymization: the camera folder suffix (``blur``, ``dnat``).
        seed: the random images' seed (noise plus a drawn rectangle per
            object, so crops differ from frame to frame).
        write_images: False leaves the JPEGs out (a missing-image case).

    Returns:
        dict: frame id -> absolute image path.
    """
    rng = np.random.default_rng(seed)
    trainval: Dict[str, List[dict]] = {'train': [], 'val': []}
    paths = {}
    for frame_id, (split, objects) in sorted(frames.items()):
        img_rel = (f'single_frames/{frame_id}/camera_front_{anonymization}/'
                   f'{frame_id}_fixture_2022-06-01T12:00:00.000000Z.jpg')
        ann_rel = f'single_frames/{frame_id}/annotations/object_detection.json'
        os.makedirs(osp.dirname(osp.join(root, img_rel)), exist_ok=True)
        os.makedirs(osp.dirname(osp.join(root, ann_rel)), exist_ok=True)
        with open(osp.join(root, ann_rel), 'w') as f:
            json.dump([_object_json(i, o) for i, o in enumerate(objects)], f)
        if write_images:
            img = rng.integers(0, 255, (size[1], size[0], 3), np.uint8)
            for obj in objects:
                x1, y1, x2, y2 = (int(v) for v in obj.box)
                img[max(y1, 0):y2, max(x1, 0):x2] = rng.integers(0, 255, 3)
            Image.fromarray(img).save(osp.join(root, img_rel), quality=90)
        trainval[split].append(
            _info_json(frame_id, img_rel, ann_rel, size, anonymization))
        paths[frame_id] = osp.join(root, img_rel)
    with open(osp.join(root, f'trainval-frames-{version}.json'), 'w') as f:
        json.dump(trainval, f)
    return paths
