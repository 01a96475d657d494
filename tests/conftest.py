import os.path as osp

import pytest

import mmdet_is  # noqa: F401  (registers the components)

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


@pytest.fixture(scope='session')
def repo_root():
    return REPO_ROOT
