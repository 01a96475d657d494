"""A training image that libjpeg reports as corrupt is named, with its
dataset index, once per file (mmcv's LoadImageFromFile loads it in
silence: libjpeg's message on stderr names no file)."""
import logging
import os.path as osp
import shutil

import numpy as np
import pytest
from mmengine.logging import MMLogger

from conftest import REPO_ROOT
from mmdet.registry import TRANSFORMS

FRAME = osp.join(REPO_ROOT, 'data', 'kitti_tiny', 'images', '000000.jpg')


@pytest.fixture
def warnings_logged():
    """The messages of the current MMLogger at WARNING and above."""
    records = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = lambda record: records.append(record.getMessage())
    logger = MMLogger.get_current_instance()
    logger.addHandler(handler)
    yield records
    logger.removeHandler(handler)


def zeroed(tmp_path):
    """The issue's image: a KITTI frame with 4,000 bytes in the middle of
    its entropy-coded data zeroed; it decodes, and libjpeg complains."""
    data = bytearray(open(FRAME, 'rb').read())
    mid = len(data) // 2
    data[mid:mid + 4000] = bytes(4000)
    path = tmp_path / 'zeroed.jpg'
    path.write_bytes(bytes(data))
    return str(path)


def test_a_corrupt_jpeg_is_named_once_with_its_index(tmp_path,
                                                     warnings_logged):
    plain = TRANSFORMS.build(dict(type='LoadImageFromFile'))
    checked = TRANSFORMS.build(dict(type='CheckedLoadImageFromFile'))
    bad, good = zeroed(tmp_path), str(tmp_path / 'good.jpg')
    shutil.copy(FRAME, good)
    # mmcv's loader: the garbled image loads and nothing names it
    silent = plain(dict(img_path=bad, sample_idx=7))
    assert silent['img'].shape == (370, 1224, 3) and not warnings_logged
    out = checked(dict(img_path=bad, sample_idx=7))
    np.testing.assert_array_equal(out['img'], silent['img'])  # same pixels
    assert len(warnings_logged) == 1
    said = warnings_logged[0]
    assert said.startswith(f'image {bad} (dataset index 7) did not decode '
                           "cleanly: 'Corrupt JPEG data")
    assert 'tools/misc/verify_images.py' in said
    checked(dict(img_path=bad, sample_idx=7))  # once per file
    checked(dict(img_path=good, sample_idx=0))  # a clean one: nothing
    assert len(warnings_logged) == 1
