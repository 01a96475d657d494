import importlib.util
import os.path as osp
import socket
import sys

import pytest

import mmdet_is  # noqa: F401  (registers the components)

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


def load_tool(relpath: str):
    """Import a script under ``tools/`` as a module, once (registered in
    ``sys.modules`` so that worker processes can unpickle its functions)."""
    name = osp.splitext(osp.basename(relpath))[0]
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(
        name, osp.join(REPO_ROOT, 'tools', relpath))
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now (for a gloo group or torchrun)."""
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


@pytest.fixture(scope='session')
def repo_root():
    return REPO_ROOT
