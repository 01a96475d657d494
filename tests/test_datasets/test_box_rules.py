"""One box rule for KittiDataset, ZODDataset and CheckedCocoDataset: a
non-finite coordinate or an empty split stops loading with the file and
line (or annotation); boxes are clipped to the image, dropped when under
1 px inside it, and counted in the log."""
import json
import os.path as osp

import numpy as np
import pytest
from PIL import Image

from mmdet.registry import DATASETS
from mmdet_is.datasets.box_rules import clip_box
from mmdet_is.testing import ZodFixtureObject, write_zod_fixture

CAR = 'Car 0.00 0 1.55 {} {} {} {} 1 1 1 1 1 1 1'


def test_clip_box_by_hand():
    # a 40 x 20 image: partly outside -> clipped; wholly outside -> dropped;
    # 0.5 px inside -> dropped
    assert clip_box([-5, 2, 10, 30], 40, 20) == ([0., 2., 10., 20.], True)
    assert clip_box([50, 2, 60, 8], 40, 20)[1] is False
    assert clip_box([39.5, 2, 45, 8], 40, 20)[1] is False


def kitti(tmp_path, lines, ids=('000001', )):
    (tmp_path / 'images').mkdir(exist_ok=True)
    (tmp_path / 'labels').mkdir(exist_ok=True)
    for i in ids:
        Image.fromarray(np.zeros((20, 40, 3), np.uint8)).save(
            tmp_path / 'images' / f'{i}.jpg')
        (tmp_path / 'labels' / f'{i}.txt').write_text('\n'.join(lines))
    (tmp_path / 'split.txt').write_text('\n'.join(ids))
    return DATASETS.build(dict(type='KittiDataset', data_root=str(tmp_path),
                               ann_file='split.txt', pipeline=[]))


def test_kitti_clips_drops_and_counts(tmp_path):
    ds = kitti(tmp_path, [CAR.format(1, 2, 10, 8), CAR.format(-5, 2, 10, 30),
                          CAR.format(50, 2, 60, 8)])
    boxes = [i['bbox'] for i in ds.get_data_info(0)['instances']]
    assert boxes == [[1., 2., 10., 8.], [0., 2., 10., 20.]]
    assert (ds.boxes_clipped, ds.boxes_dropped) == (1, 1)


def test_a_dropped_zero_width_box_is_named_by_file_and_line(tmp_path):
    ds = kitti(tmp_path, [CAR.format(1, 2, 10, 8), CAR.format(5, 2, 5, 8)])
    label = osp.join(str(tmp_path), 'labels', '000001.txt')
    assert ds.dropped_boxes == [f'{label}, line 2 [5.0, 2.0, 5.0, 8.0]']
    ds = coco(tmp_path, [[1, 2, 9, 6], [3, 2, 0, 6]])
    assert ds.dropped_boxes == [
        f'{ds.ann_file}: annotation id 2 (image id 7) [3.0, 2.0, 3.0, 8.0]']


def test_kitti_refuses_nan_and_an_empty_split(tmp_path):
    with pytest.raises(ValueError, match=r'000001.txt, line 2: box '
                       r'coordinates must be finite'):
        kitti(tmp_path, [CAR.format(1, 2, 10, 8), CAR.format(1, 'nan', 10, 8)])
    (tmp_path / 'empty.txt').write_text('\n')
    with pytest.raises(ValueError, match='empty.txt lists no image'):
        DATASETS.build(dict(type='KittiDataset', data_root=str(tmp_path),
                            ann_file='empty.txt', pipeline=[]))


def coco(tmp_path, anns, images=True):
    Image.fromarray(np.zeros((20, 40, 3), np.uint8)).save(tmp_path / 'a.jpg')
    data = dict(images=[dict(id=7, file_name='a.jpg', width=40, height=20)]
                if images else [],
                annotations=[dict(id=k + 1, image_id=7, category_id=1,
                                  bbox=b, area=100.0, iscrowd=0)
                             for k, b in enumerate(anns)],
                categories=[dict(id=1, name='thing')])
    (tmp_path / 'ann.json').write_text(json.dumps(data))
    return DATASETS.build(dict(
        type='CheckedCocoDataset', data_root=str(tmp_path),
        ann_file='ann.json', data_prefix=dict(img=''),
        metainfo=dict(classes=('thing', )),
        filter_cfg=dict(filter_empty_gt=False), pipeline=[]))


def test_coco_clips_drops_and_counts(tmp_path):
    # [x, y, w, h]: inside; reaching out (mmdet keeps it unclipped); wholly
    # outside (mmdet drops it silently)
    ds = coco(tmp_path, [[1, 2, 9, 6], [-5, 2, 15, 28], [50, 2, 10, 6]])
    boxes = [i['bbox'] for i in ds.get_data_info(0)['instances']]
    assert boxes == [[1., 2., 10., 8.], [0., 2., 10., 20.]]
    assert (ds.boxes_clipped, ds.boxes_dropped) == (1, 1)


def test_coco_refuses_nan_and_no_images(tmp_path):
    with pytest.raises(ValueError, match=r'ann.json: annotation id 2 \(image '
                       r'id 7\): box coordinates must be finite'):
        coco(tmp_path, [[1, 2, 9, 6], [1, float('nan'), 9, 6]])
    with pytest.raises(ValueError, match='ann.json lists no image'):
        coco(tmp_path, [], images=False)


def test_zod_refuses_nan_clips_and_counts(tmp_path):
    root = str(tmp_path)
    write_zod_fixture(root, {
        '000001': ('train', [ZodFixtureObject('Vehicle', (10, 10, 60, 50)),
                             ZodFixtureObject('Vehicle', (3800, 10, 3900,
                                                          50))])},
        size=(3848, 2168))
    cfg = dict(type='ZODDataset', data_root=root, version='mini',
               split='train', pipeline=[])
    ds = DATASETS.build(cfg)
    boxes = [i['bbox'] for i in ds.get_data_info(0)['instances']]
    assert boxes == [[10., 10., 60., 50.], [3800., 10., 3848., 50.]]
    assert (ds.boxes_clipped, ds.boxes_dropped) == (1, 0)
    ann = osp.join(root, 'single_frames', '000001', 'annotations',
                   'object_detection.json')
    objects = json.load(open(ann))
    # the devkit skips NaN points of a polygon; with every x NaN it gives
    # the inverted box [999999, 10, -1, 50]
    for point in objects[1]['geometry']['coordinates']:
        point[0] = float('nan')
    json.dump(objects, open(ann, 'w'))
    with pytest.raises(ValueError, match=r'ZOD frame 000001: annotation '
                       r'.*object_detection.json, object 1: box has x2 < '
                       r'x1'):
        DATASETS.build(cfg)
