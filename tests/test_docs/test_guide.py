"""The README and the user guide cannot rot: every config, tools/ and
benchmarks/ script they name exists, every image they show exists, and
every Python config snippet builds with mmengine's Config (written at the
path its first comment names, beside a copy of configs/)."""
import glob
import os.path as osp
import re
import shutil

import pytest
from mmengine.config import Config

from conftest import REPO_ROOT

PAGES = [osp.join(REPO_ROOT, 'README.md')] + sorted(
    glob.glob(osp.join(REPO_ROOT, 'docs', 'guide', '*.md')))
PATH = re.compile(r'(?<![\w/.-])((?:configs|tools|benchmarks)/[\w./{},-]+'
                  r'\.(?:py|sh))')
IMAGE = re.compile(r'!\[[^\]]*\]\(([^)]+)\)')
SNIPPET = re.compile(r'```python\n(.*?)```', re.S)


def expand(path):
    """``a_{b,c}_{d,e}.py`` -> the four paths it stands for."""
    m = re.search(r'\{([^}]*)\}', path)
    if not m:
        return [path]
    return [p for alt in m.group(1).split(',')
            for p in expand(path[:m.start()] + alt + path[m.end():])]


def named_paths(text):
    """Paths a page names; ``{a,b}`` alternatives expanded."""
    return [p for path in PATH.findall(text) for p in expand(path)]


# paths the pages name as examples of a user's own files
USER_FILES = ('configs/parts/', 'configs/studies/my_study.py',
              'configs/my_retinanet')


@pytest.mark.parametrize('page', PAGES, ids=osp.basename)
def test_named_files_exist(page):
    text = open(page).read()
    missing = [p for p in named_paths(text)
               if not p.startswith(USER_FILES) and not
               osp.exists(osp.join(REPO_ROOT, p))]
    assert not missing, f'{page} names missing files: {missing}'
    for image in IMAGE.findall(text):
        assert osp.isfile(osp.join(osp.dirname(page), image)), image


def test_every_python_snippet_builds(tmp_path):
    shutil.copytree(osp.join(REPO_ROOT, 'configs'), tmp_path / 'configs')
    snippets = [s for page in PAGES
                for s in SNIPPET.findall(open(page).read())]
    assert len(snippets) >= 8
    files = []
    for k, code in enumerate(snippets):
        first = code.splitlines()[0]
        m = re.match(r'# (configs/[\w/.-]+\.py)', first)
        path = tmp_path / (m.group(1) if m else f'configs/snippet_{k}.py')
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(code)
        files.append(path)
    for path in files:  # after all are written: they may inherit each other
        Config.fromfile(str(path))
