"""The offline ZODFAR converter against the online crop."""
import json
import os
import os.path as osp

import numpy as np
import pytest
from mmengine.registry import init_default_scope

from conftest import load_tool
from mmdet.registry import DATASETS
from mmdet_is.testing import ZodFixtureObject as O
from mmdet_is.testing import write_zod_fixture

conv = load_tool('dataset_converters/zod_to_zodfar.py')

# Crop (1284, 892, 1280, 384): area 491,520 px^2; small < 0.33 % = 1622.0,
# large > 3 % = 14,745.6 px^2.
FRAMES = {
    '000001': ('train', [
        O('Vehicle', (1300, 900, 1400, 1000)),      # 100 x 100: medium
        O('Pedestrian', (1000, 900, 1300, 1000)),   # 16 x 100: small
        O('Inconclusive', (2000, 1000, 2010, 1010), unclear=True),  # small
    ]),
    '000002': ('train', [O('Vehicle', (1000, 800, 3000, 1400))]),  # large
    '000003': ('val', [O('Animal', (2500, 1200, 2600, 1270))]),  # 64 x 70
    '000004': ('train', []),
}
CLASSES = ('Pedestrian', 'Vehicle', 'VulnerableVehicle', 'Animal')


@pytest.fixture(scope='module')
def converted(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('zod'))
    out = str(tmp_path_factory.mktemp('zodfar'))
    write_zod_fixture(root, FRAMES)
    assert conv.main([root, out, '--version', 'mini', '--workers', '2']) == 0
    return root, out


def test_converter_output_equals_online_crop(converted):
    root, out = converted
    init_default_scope('mmdet')
    load = [dict(type='LoadImageFromFile'), dict(type='LoadAnnotations')]
    for split in ('train', 'val'):
        online = DATASETS.build(dict(
            type='ZODDataset', data_root=root, version='mini', split=split,
            pipeline=load + [dict(type='FarRoICrop')]))
        offline = DATASETS.build(dict(
            type='CocoDataset', data_root=out, metainfo=dict(classes=CLASSES),
            ann_file=f'annotations/zodfar_{split}.json',
            data_prefix=dict(img='images/'), pipeline=load))
        assert len(online) == len(offline) == (3 if split == 'train' else 1)
        for i in range(len(online)):
            a, b = online[i], offline[i]
            assert a['img_id'] == b['img_id']
            np.testing.assert_array_equal(a['img'], b['img'])  # png lossless
            np.testing.assert_allclose(a['gt_bboxes'].numpy(),
                                       b['gt_bboxes'].numpy(), atol=1e-4)
            assert (a['gt_bboxes_labels'] == b['gt_bboxes_labels']).all()
            assert (a['gt_ignore_flags'] == b['gt_ignore_flags']).all()


def test_counts_table_by_hand(converted):
    _, out = converted
    counts = {s: conv.count_objects(json.load(open(
        osp.join(out, 'annotations', f'zodfar_{s}.json'))))
        for s in ('train', 'val')}
    assert counts['train'] == {('medium', 'Vehicle'): 1,
                               ('small', 'Pedestrian'): 1,
                               ('small', 'DontCare'): 1,
                               ('large', 'Vehicle'): 1}
    assert counts['val'] == {('medium', 'Animal'): 1}  # 4480 px^2
    table = conv.format_counts(counts).splitlines()
    assert table[2].split() == ['large', '0', '(0)', '1', '(0)', '0', '(0)',
                                '0', '(0)', '0', '(0)']
    assert table[3].split()[7:9] == ['0', '(1)']  # medium Animal: val only


def test_second_run_converts_nothing(converted, capsys):
    root, out = converted
    part = osp.join(out, 'annotations', 'parts', 'train', '000001.json')
    mtime = os.stat(part).st_mtime_ns
    assert conv.main([root, out, '--version', 'mini', '--workers', '0']) == 0
    assert 'train: 0 converted, 3 already done, 0 failed' in \
        capsys.readouterr().out
    assert os.stat(part).st_mtime_ns == mtime
    assert not [f for _, _, fs in os.walk(out) for f in fs if '.tmp' in f]


def test_missing_image_is_reported_by_id(tmp_path, capsys):
    root, out = str(tmp_path / 'zod'), str(tmp_path / 'out')
    paths = write_zod_fixture(root, {
        '000010': ('train', [O('Vehicle', (1300, 900, 1400, 1000))]),
        '000011': ('train', []), '000012': ('train', [])})
    os.remove(paths['000011'])
    with open(paths['000012'], 'wb') as f:
        f.write(b'not a jpeg')
    assert conv.main([root, out, '--version', 'mini', '--splits', 'train',
                      '--workers', '0']) == 1
    err = capsys.readouterr().err
    assert 'ZOD frame 000011: image' in err and 'not found' in err
    assert 'ZOD frame 000012' in err
    coco_file = osp.join(out, 'annotations', 'zodfar_train.json')
    assert not osp.exists(coco_file)  # no partial dataset by default
    assert conv.main([root, out, '--version', 'mini', '--splits', 'train',
                      '--workers', '0', '--skip-failed']) == 0
    coco = json.load(open(coco_file))
    assert [i['id'] for i in coco['images']] == [10]
