"""ZOD dataset class and far-RoI crop on a fixture in ZOD's on-disk layout.

Crop window (default, full-frame pixels): x0=1284, y0=892, 1280 x 384, so a
full-frame point (x, y) lands at (x - 1284, y - 892), clipped to
[0, 1280] x [0, 384].
"""
import numpy as np
import pytest
from mmengine.registry import init_default_scope

from mmdet.registry import DATASETS
from mmdet.structures.bbox import HorizontalBoxes
from mmdet_is.datasets.transforms import FAR_ROI, FarRoICrop, crop_boxes
from mmdet_is.testing import ZodFixtureObject as O
from mmdet_is.testing import write_zod_fixture

# Classes: Pedestrian 0, Vehicle 1, VulnerableVehicle 2, Animal 3.
FRAMES = {
    '000001': ('train', [
        O('Vehicle', (1300, 900, 1400, 1000), type='Car'),
        O('Pedestrian', (1000, 900, 1300, 1000)),
        O('VulnerableVehicle', (2000, 1000, 2010, 1010), unclear=True,
          type='Bicycle'),
        O('Inconclusive', (2400, 1200, 2600, 1300), unclear=True),
        O('TrafficSign', (1500, 950, 1510, 960), type='Front'),
        O('TrafficSign', (1600, 950, 1610, 960), unclear=True, type='Back'),
        O('Pedestrian', (100, 100, 200, 200)),
    ]),
    '000002': ('train', [
        O('Animal', (0, 0, 100, 100)),
        O('Vehicle', (1284.5, 892, 1285.2, 950), type='Car'),
    ]),
    '000003': ('val', [O('Vehicle', (1500, 1000, 1700, 1100), type='Van')]),
    '000004': ('train', [O('Vehicle', (1000, 800, 3000, 1400), type='Bus')]),
}
# After the crop (hand-computed): label, ignore flag, box in crop pixels.
CROPPED = {
    '000001': [(1, 0, [16, 8, 116, 108]),       # inside
               (0, 0, [0, 8, 16, 108]),         # across the left border
               (2, 1, [716, 108, 726, 118]),    # unclear bicycle: don't-care
               (0, 1, [1116, 308, 1280, 384])],  # Inconclusive, corner
    '000002': [],  # the animal is outside; the vehicle is a 0.7 px sliver
    '000003': [(1, 0, [216, 108, 416, 208])],
    '000004': [(1, 0, [0, 0, 1280, 384])],  # covers the whole window
}


@pytest.fixture(scope='module')
def zod_root(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('zod'))
    write_zod_fixture(root, FRAMES)
    return root


def build_zod(root, split='train', pipeline=(), **kwargs):
    init_default_scope('mmdet')
    cfg = dict(type='ZODDataset', data_root=root, version='mini',
               split=split, pipeline=list(pipeline))
    return DATASETS.build(dict(cfg, **kwargs))


def test_zod_dataset_reads_boxes_classes_and_dont_care(zod_root):
    ds = build_zod(zod_root)
    infos = [ds.get_data_info(i) for i in range(len(ds))]
    assert [i['frame_id'] for i in infos] == ['000001', '000002', '000004']
    assert [i['img_id'] for i in infos] == [1, 2, 4]
    assert all((i['width'], i['height']) == (3848, 2168) for i in infos)
    got = [(d['bbox_label'], d['ignore_flag'], d['bbox'])
           for d in infos[0]['instances']]
    # static classes (clear or unclear) are dropped; the pedestrian outside
    # the far RoI is kept here (the crop drops it)
    assert got == [(1, 0, [1300, 900, 1400, 1000]),
                   (0, 0, [1000, 900, 1300, 1000]),
                   (2, 1, [2000, 1000, 2010, 1010]),
                   (0, 1, [2400, 1200, 2600, 1300]),
                   (0, 0, [100, 100, 200, 200])]
    # the 0.7 px vehicle sliver is dropped at load (box_rules)
    assert [d['bbox_label'] for d in infos[1]['instances']] == [3]
    val = build_zod(zod_root, split='val')
    assert [val.get_data_info(0)['frame_id'], len(val)] == ['000003', 1]


@pytest.mark.parametrize('key,value', [('version', 'tiny'),
                                       ('split', 'test'),
                                       ('anonymization', 'pixelate')])
def test_zod_dataset_rejects_bad_options(zod_root, key, value):
    with pytest.raises(ValueError, match=f'{key}.*{value}'):
        build_zod(zod_root, **{key: value})


def test_zod_dataset_missing_files_are_named(tmp_path, zod_root):
    with pytest.raises(FileNotFoundError, match='trainval-frames-mini.json'):
        build_zod(str(tmp_path))
    with pytest.raises(ValueError, match='front_dnat'):
        build_zod(zod_root, anonymization='dnat')
    write_zod_fixture(str(tmp_path), {
        '000007': ('train', [O('Vehicle', (0, 0, 9, 9))]),
        '000008': ('train', []),
    }, write_images=False)
    with pytest.raises(ValueError) as err:
        build_zod(str(tmp_path))
    assert '2 ZOD frame(s)' in str(err.value)
    assert 'ZOD frame 000007: image' in str(err.value)
    assert 'ZOD frame 000008: image' in str(err.value)
    bad = tmp_path / 'bad'
    write_zod_fixture(str(bad), {'000009': ('train', [])})
    ann = bad / 'single_frames/000009/annotations/object_detection.json'
    ann.write_text('[{"geometry": ')
    with pytest.raises(ValueError, match=f'ZOD frame 000009: annotation '
                       f'{ann} unreadable: JSONDecodeError'):
        build_zod(str(bad))


def test_crop_boxes_by_hand():
    boxes = np.array([
        [1300, 900, 1400, 1000],   # inside -> 16, 8, 116, 108
        [1000, 900, 1300, 1000],   # left border -> 0, 8, 16, 108
        [2500, 1200, 2600, 1300],  # right/bottom -> 1216, 308, 1280, 384
        [0, 0, 100, 100],          # fully outside (above left): dropped
        [2600, 1000, 2700, 1100],  # fully right of x0 + w = 2564: dropped
        [1284.5, 900, 1285.2, 950],  # 0.7 px wide: dropped (min_size 1)
        [1284, 892, 1285, 893],    # exactly 1 x 1 px: kept
    ])
    out, keep = crop_boxes(boxes, FAR_ROI)
    assert keep.tolist() == [True, True, True, False, False, False, True]
    np.testing.assert_allclose(out, [[16, 8, 116, 108], [0, 8, 16, 108],
                                     [1216, 308, 1280, 384], [0, 0, 1, 1]])
    out, keep = crop_boxes(boxes, (0, 0, 50, 40))
    assert keep.tolist() == [False, False, False, True, False, False, False]
    np.testing.assert_allclose(out, [[0, 0, 50, 40]])


def test_far_roi_crop_transform():
    img = np.arange(2168 * 3848 * 3, dtype=np.uint32).reshape(2168, 3848, 3)
    results = dict(
        img=img, img_path='f.jpg', img_shape=(2168, 3848),
        ori_shape=(2168, 3848),
        gt_bboxes=HorizontalBoxes(np.array(
            [[1300, 900, 1400, 1000], [0, 0, 100, 100],
             [2400, 1200, 2600, 1300]], np.float32)),
        gt_bboxes_labels=np.array([1, 3, 0]),
        gt_ignore_flags=np.array([False, False, True]),
        instances=[dict(bbox=[1300, 900, 1400, 1000], bbox_label=1,
                        ignore_flag=0),
                   dict(bbox=[0, 0, 100, 100], bbox_label=3, ignore_flag=0)])
    out = FarRoICrop()(results)
    assert out['img'].shape == (384, 1280, 3)
    assert out['img_shape'] == out['ori_shape'] == (384, 1280)
    np.testing.assert_array_equal(out['img'][0, 0], img[892, 1284])
    np.testing.assert_array_equal(out['img'][-1, -1], img[892 + 383,
                                                          1284 + 1279])
    np.testing.assert_allclose(out['gt_bboxes'].numpy(),
                               [[16, 8, 116, 108], [1116, 308, 1280, 384]])
    assert out['gt_bboxes_labels'].tolist() == [1, 0]
    assert out['gt_ignore_flags'].tolist() == [False, True]
    assert out['instances'] == [dict(bbox=[16, 8, 116, 108], bbox_label=1,
                                     ignore_flag=0)]
    small = dict(img=np.zeros((375, 1242, 3), np.uint8), img_path='kitti.png')
    with pytest.raises(ValueError, match='kitti.png.*1242x375'):
        FarRoICrop()(small)
    with pytest.raises(ValueError, match='crop_window'):
        FarRoICrop(crop_window=(0, 0, 1280))


def test_online_pipeline_gives_the_cropped_boxes(zod_root):
    ds = build_zod(zod_root, pipeline=[
        dict(type='LoadImageFromFile'), dict(type='LoadAnnotations'),
        dict(type='FarRoICrop')])
    for i in range(len(ds)):
        item = ds[i]
        want = CROPPED[item['frame_id']]
        assert item['img'].shape == (384, 1280, 3)
        assert item['gt_bboxes_labels'].tolist() == [w[0] for w in want]
        assert item['gt_ignore_flags'].tolist() == [bool(w[1]) for w in want]
        np.testing.assert_allclose(item['gt_bboxes'].numpy().reshape(-1, 4),
                                   np.array([w[2] for w in want],
                                            np.float32).reshape(-1, 4))


def test_zod_is_optional():
    """Importing mmdet_is does not import the devkit; without it, ZODDataset
    raises an ImportError that names the extra."""
    import subprocess
    import sys
    code = (
        'import sys\n'
        'import mmdet_is\n'
        'assert not any(m == "zod" or m.startswith("zod.") '
        'for m in sys.modules), "zod imported"\n'
        'sys.modules["zod"] = None  # as if not installed\n'
        'from mmengine.registry import init_default_scope\n'
        'from mmdet.registry import DATASETS\n'
        'init_default_scope("mmdet")\n'
        'try:\n'
        '    DATASETS.build(dict(type="ZODDataset", data_root="x"))\n'
        'except ImportError as e:\n'
        '    print(e)\n')
    out = subprocess.run([sys.executable, '-c', code], capture_output=True,
                         text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    assert 'pip install "mmdet_is[zod]"' in out.stdout
