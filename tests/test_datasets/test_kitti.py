import os.path as osp

import numpy as np
import pytest
from PIL import Image

from mmdet.registry import DATASETS
from mmdet_is.datasets.kitti import parse_kitti_label

CLASSES = ['Pedestrian', 'Vehicle', 'VulnerableVehicle', 'Animal']
LINES = [
    'Car 0.00 0 1.55 614.24 181.78 727.31 284.77 1.57 1.73 4.15 1.0 1.75 13.2 1.6',
    'Van 0.00 0 1.55 10 20 30 40 1 1 1 1 1 1 1',
    'Person_sitting 0.00 0 1.55 1 2 3 4 1 1 1 1 1 1 1',
    'Cyclist 0.00 0 1.55 5 6 7 8 1 1 1 1 1 1 1',
    'DontCare -1 -1 -10 5.00 229.89 214.12 367.61 -1 -1 -1 -1000 -1000 -1000 -10',
    'Misc 0.00 0 1.55 50 60 70 80 1 1 1 1 1 1 1',
]


def write(path, lines):
    path.write_text('\n'.join(lines) + '\n')
    return str(path)


def test_parse_maps_kitti_types_to_zod_classes(tmp_path):
    inst = parse_kitti_label(write(tmp_path / 'a.txt', LINES), CLASSES)
    assert [i['bbox_label'] for i in inst] == [1, 1, 0, 2, 0, 0]
    assert [i['ignore_flag'] for i in inst] == [0, 0, 0, 0, 1, 1]
    assert inst[0]['bbox'] == [614.24, 181.78, 727.31, 284.77]
    assert inst[4]['bbox'] == [5.0, 229.89, 214.12, 367.61]


@pytest.mark.parametrize('bad, message', [
    ('Car 0.00 0 1.55 614.24 181.78 727.31', 'expected 15 fields'),
    ('Car 0.00 0 1.55 a 181.78 727.31 284.77 1 1 1 1 1 1 1', 'not numbers'),
    ('Car 0.00 0 1.55 700 181.78 600 284.77 1 1 1 1 1 1 1', 'x2 < x1'),
    ('Bus 0.00 0 1.55 1 2 3 4 1 1 1 1 1 1 1', "unknown KITTI type 'Bus'"),
])
def test_malformed_line_names_file_and_line(tmp_path, bad, message):
    path = write(tmp_path / '000007.txt', LINES[:2] + [bad])
    with pytest.raises(ValueError) as err:
        parse_kitti_label(path, CLASSES)
    assert f'{path}, line 3' in str(err.value)
    assert message in str(err.value)


def make_frames(root, ids, size=(1242, 375)):
    (root / 'images').mkdir()
    (root / 'labels').mkdir()
    for i in ids:
        Image.fromarray(np.zeros((size[1], size[0], 3), np.uint8)).save(
            root / 'images' / f'{i}.jpg')
        write(root / 'labels' / f'{i}.txt', LINES[:2])
    write(root / 'split.txt', ids)


def build(root, ann_file='split.txt'):
    return DATASETS.build(
        dict(type='KittiDataset', data_root=str(root), ann_file=ann_file,
             pipeline=[]))


def test_dataset_reports_size_and_ignore_flags(tmp_path):
    make_frames(tmp_path, ['000001', '000002'], size=(1240, 380))
    ds = build(tmp_path)
    assert len(ds) == 2
    info = ds.get_data_info(1)
    assert (info['width'], info['height']) == (1240, 380)
    assert info['frame_id'] == '000002' and info['img_id'] == 2
    assert [i['bbox_label'] for i in info['instances']] == [1, 1]


def test_bad_and_repeated_frame_ids_name_the_split_file(tmp_path):
    make_frames(tmp_path, ['000001'])
    write(tmp_path / 'twice.txt', ['000001', '000001'])
    with pytest.raises(ValueError, match='twice.txt lists a frame id twice'):
        build(tmp_path, 'twice.txt')
    write(tmp_path / 'named.txt', ['frame_a'])
    with pytest.raises(ValueError, match="named.txt: .*'frame_a' is not"):
        build(tmp_path, 'named.txt')


def test_missing_label_and_split_files_are_named(tmp_path):
    make_frames(tmp_path, ['000001'])
    write(tmp_path / 'split.txt', ['000001', '000009'])
    with pytest.raises(FileNotFoundError, match='000009.jpg not found'):
        build(tmp_path)
    with pytest.raises(FileNotFoundError, match='nope.txt'):
        build(tmp_path, 'nope.txt')


def test_bundled_kitti_tiny_counts(repo_root):
    """Object counts of data/kitti_tiny/README.md, both splits together."""
    root = osp.join(repo_root, 'data', 'kitti_tiny')
    counts = np.zeros(5, int)  # 4 classes + ignored
    n = 0
    for split in ('train.txt', 'val.txt'):
        ds = build(root, split)
        n += len(ds)
        for k in range(len(ds)):
            for inst in ds.get_data_info(k)['instances']:
                counts[4 if inst['ignore_flag'] else inst['bbox_label']] += 1
    assert n == 101
    # Pedestrian 47 + Person_sitting 5; Car 303 + Van 34 + Truck 14 + Tram 12;
    # Cyclist 18; DontCare 237 + Misc 6.
    assert counts.tolist() == [52, 363, 18, 0, 243]
