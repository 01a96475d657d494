"""ZOD Frames (Zenseact Open Dataset) read through the ``zod`` devkit.

Front-camera 2D boxes of the dynamic classes, thesis section 4.4 and
docs/method.md section 3. The devkit (PyPI ``zod``) owns the on-disk layout:
``ZodFrames`` reads ``trainval-frames-{full,mini}.json`` and its splits,
``ObjectAnnotation`` parses each frame's object-detection JSON.

The devkit is an optional dependency (``pip install 'mmdet_is[zod]'``),
imported where it is used, as mmdet does for ``lvis``: importing mmdet_is
does not import it.
"""
import importlib
import os.path as osp
from typing import List, Sequence

from mmdet.datasets import BaseDetDataset
from mmdet.registry import DATASETS
from .box_rules import check_box, clip_instances, log_box_counts, refuse_empty

#: The detector's classes (thesis table 4.2), in label order.
ZOD_CLASSES = ('Pedestrian', 'Vehicle', 'VulnerableVehicle', 'Animal')
#: The name the devkit gives objects annotated as ``Inconclusive``.
UNCLEAR = 'Unclear'


def zod_module(name: str = 'zod'):
    """Import a module of the ZOD devkit.

    Raises:
        ImportError: the devkit is not installed; the message names the
            extra that installs it.
    """
    try:
        return importlib.import_module(name)
    except ImportError as e:
        raise ImportError(
            'ZOD support needs the ZOD devkit: pip install "mmdet_is[zod]" '
            f'(zod==0.8.0, dataclass-wizard<1); importing {name} failed: '
            f'{e}') from e


class ZodFrameError(ValueError):
    """A frame that cannot be read; ``frame_id`` names it."""

    def __init__(self, frame_id: str, message: str) -> None:
        super().__init__(f'ZOD frame {frame_id}: {message}')
        self.frame_id = frame_id


def zod_objects_to_instances(objects: Sequence,
                             classes: Sequence[str]) -> List[dict]:
    """ZOD objects -> mmdet instances.

    Objects of ``classes`` become instances of their class. Unclear objects
    (``unclear`` set, or the ``Inconclusive`` class the devkit calls
    ``Unclear``) of a dynamic class or of no class become don't-care
    instances (``ignore_flag=1``; label: their class if it is in ``classes``,
    else 0). Everything else (static classes, also when unclear) is dropped.

    Args:
        objects: ``zod.anno.object.ObjectAnnotation`` s, parsed by the
            devkit (``frame.get_annotation``).
        classes: class names; ``bbox_label`` indexes it.

    Returns:
        list[dict]: ``bbox`` ``[x1, y1, x2, y2]`` in full-frame pixels
        (the devkit's outer box of the annotated polygon), ``bbox_label``,
        ``ignore_flag``.
    """
    dynamic = zod_module('zod.anno.object').OBJECT_CLASSES_DYNAMIC
    instances = []
    for obj in objects:
        dont_care = obj.unclear and obj.name in (*dynamic, UNCLEAR)
        if not dont_care and (obj.unclear or obj.name not in classes):
            continue
        label = classes.index(obj.name) if obj.name in classes else 0
        instances.append(
            dict(bbox=[float(v) for v in obj.box2d.xyxy],
                 bbox_label=label, ignore_flag=int(dont_care)))
    return instances


def load_zod_frame(frame,
                   anonymization: str = 'blur',
                   classes: Sequence[str] = ZOD_CLASSES) -> dict:
    """One ZOD frame's data info (mmdet's dataset dict).

    Args:
        frame: a ``zod.data_classes.frame.ZodFrame``, from
            ``ZodFrames[frame_id]``.
        anonymization: ``blur``, ``dnat`` or ``original`` (the non-public,
            non-anonymised images, found by the devkit's convention of
            replacing ``blur`` in the blurred image's path).
        classes: see :func:`zod_objects_to_instances`.

    Returns:
        dict: ``img_path``, ``img_id`` (int of the frame id), ``frame_id``
        (str), ``width``, ``height`` (pixels, from the frame information) and
        ``instances``.

    Raises:
        ZodFrameError: no front camera image of that anonymisation, the image
            file is missing, or the annotation is missing, unreadable or has
            a box that is not finite or inverted (the devkit makes a box of
            NaN points inverted); the message names the frame id and the
            file.
    """
    constants = zod_module('zod.constants')
    Anonymization = constants.Anonymization
    AnnotationProject = constants.AnnotationProject
    frame_id = frame.info.id
    anon = Anonymization(anonymization)
    source = Anonymization.BLUR if anon == Anonymization.ORIGINAL else anon
    try:
        camera = frame.info.get_key_camera_frame(anonymization=source)
    except KeyError:
        raise ZodFrameError(
            frame_id, f'no front camera frame "front_{source.value}" '
            f'(has {sorted(frame.info.camera_frames)})') from None
    img_path = camera.filepath
    if anon == Anonymization.ORIGINAL:
        img_path = img_path.replace(Anonymization.BLUR.value, anon.value)
    if not osp.isfile(img_path):
        raise ZodFrameError(frame_id, f'image {img_path} not found')
    if not frame.is_annotated(AnnotationProject.OBJECT_DETECTION):
        raise ZodFrameError(frame_id, 'no object detection annotation')
    ann_path = frame.info.annotations[
        AnnotationProject.OBJECT_DETECTION].filepath
    try:
        objects = frame.get_annotation(AnnotationProject.OBJECT_DETECTION)
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise ZodFrameError(
            frame_id, f'annotation {ann_path} unreadable: '
            f'{type(e).__name__}: {e}') from None
    instances = zod_objects_to_instances(objects, classes)
    for k, inst in enumerate(instances):
        try:
            check_box(inst['bbox'], f'annotation {ann_path}, object {k}')
        except ValueError as e:
            raise ZodFrameError(frame_id, str(e)) from None
    return dict(img_path=img_path, img_id=int(frame_id), frame_id=frame_id,
                width=camera.width, height=camera.height,
                instances=instances)


@DATASETS.register_module()
class ZODDataset(BaseDetDataset):
    """ZOD Frames, front camera, full 3848 x 2168 images (online loading).

    Reads every frame's annotation at start-up, which takes minutes on the
    full 90k-frame training split; train on the converted ZODFAR files
    (``tools/dataset_converters/zod_to_zodfar.py``) instead when the 8 MP
    JPEG decoding would starve the GPU. Add ``FarRoICrop`` to the pipeline
    for ZODFAR.

    Args:
        data_root: the ZOD root (holds ``trainval-frames-<version>.json``).
        version: ``'full'`` or ``'mini'``.
        split: ``'train'`` or ``'val'`` (the devkit's split).
        anonymization: ``'blur'``, ``'dnat'`` or ``'original'``.
        **kwargs: :class:`~mmdet.datasets.BaseDetDataset` arguments;
            ``ann_file`` is not used.

    Raises:
        ImportError: the ZOD devkit is not installed (the message names the
            extra ``mmdet_is[zod]``).
        ValueError: an unknown ``version``, ``split`` or ``anonymization``
            (the message names the key); frames that cannot be read (the
            message lists their ids, see :func:`load_zod_frame`); an empty
            split.

    Boxes follow the project's rule (:mod:`.box_rules`): clipped to the
    frame, dropped when under 1 pixel inside it, counted in the log and in
    ``boxes_clipped`` / ``boxes_dropped``.
        FileNotFoundError: the trainval file is missing (the devkit's message
            names the path).
    """
    METAINFO = dict(
        classes=ZOD_CLASSES,
        palette=[(220, 20, 60), (0, 0, 142), (119, 11, 32), (0, 150, 0)])

    def __init__(self, *args, version: str = 'full', split: str = 'train',
                 anonymization: str = 'blur', **kwargs) -> None:
        constants = zod_module('zod.constants')
        VERSIONS, SPLITS = constants.VERSIONS, constants.SPLITS
        TRAIN, VAL = constants.TRAIN, constants.VAL
        if version not in VERSIONS:
            raise ValueError(f'ZODDataset version must be one of {VERSIONS}, '
                             f'got {version!r}')
        if split not in (TRAIN, VAL):
            raise ValueError(f'ZODDataset split must be {TRAIN!r} or {VAL!r} '
                             f'(devkit splits: {SPLITS}), got {split!r}')
        anons = [a.value for a in constants.Anonymization]
        if anonymization not in anons:
            raise ValueError(f'ZODDataset anonymization must be one of '
                             f'{anons}, got {anonymization!r}')
        self.version, self.split = version, split
        self.anonymization = anonymization
        super().__init__(*args, **kwargs)

    def load_data_list(self) -> List[dict]:
        frames = zod_module().ZodFrames(self.data_root, self.version)
        classes = list(self.metainfo['classes'])
        data_list, errors, clipped, dropped = [], [], 0, []
        source = f'{self.data_root} ({self.version}, {self.split})'
        for frame_id in sorted(frames.get_split(self.split)):
            try:
                info = load_zod_frame(frames[frame_id], self.anonymization,
                                      classes)
            except ZodFrameError as e:
                errors.append(e)
                continue
            info['instances'], c, d = clip_instances(
                info['instances'], info['width'], info['height'],
                f'ZOD frame {frame_id}')
            clipped, dropped = clipped + c, dropped + d
            data_list.append(info)
        if errors:
            raise ValueError(
                f'{len(errors)} ZOD frame(s) of {source} cannot be read:\n' +
                '\n'.join(str(e) for e in errors))
        refuse_empty('ZODDataset', source, len(data_list))
        self.boxes_clipped, self.boxes_dropped = clipped, len(dropped)
        self.dropped_boxes = dropped
        log_box_counts('ZODDataset', source, clipped, dropped)
        return data_list
