"""The underwater configs of the speed-up study: the real data set reads as
the README says, and every method differs from the baseline only in the
sampler (its policy and score) and the hook."""
import copy
import glob
import os.path as osp

import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope

from conftest import REPO_ROOT, data_missing, load_study_tool
from mmdet.registry import DATASETS, MODELS

DATA = osp.join(REPO_ROOT, 'data', 'underwater')
CONFIGS = sorted(glob.glob(osp.join(REPO_ROOT, 'configs',
                                    'thesis_detector', '*_underwater.py')))
STUDY = osp.join(REPO_ROOT, 'configs', 'studies', 'underwater_r34eighth.py')
study_tool = load_study_tool()

needs_data = pytest.mark.skipif(not osp.isdir(DATA),
                                reason=data_missing('underwater'))


def without_method(cfg):
    """The config less what a method may change."""
    d = copy.deepcopy(cfg.to_dict())
    d['train_dataloader'].pop('sampler')
    d.pop('custom_hooks', None)
    return d


def test_methods_differ_from_the_baseline_only_in_sampling():
    study = study_tool.load_study(STUDY)
    assert len(study.methods) >= 6 and study.baseline == 'baseline'
    base = Config.fromfile(osp.join(REPO_ROOT, study.methods.baseline))
    assert base.train_dataloader.sampler.type == 'DefaultSampler'
    for name, path in study.methods.items():
        cfg = Config.fromfile(osp.join(REPO_ROOT, path))
        assert without_method(cfg) == without_method(base), name
        if name != 'baseline':
            assert cfg.train_dataloader.sampler.type == 'ImportanceSampler'
            assert cfg.custom_hooks[0].type == 'ImportanceSamplingHook'
            score = cfg.train_dataloader.sampler.score
            # the method's name starts with its heuristic (uis_ir: -IR)
            assert score.heuristic == name.split('_')[0], name
            assert score.get('ignore_regression', False) == name.endswith(
                '_ir'), name


def test_the_study_scale_reaches_every_run():
    study = study_tool.load_study(STUDY)
    for name in ('baseline', 'uis_rb'):
        cfg = study_tool.run_config(study, name, 4)
        assert cfg.randomness.seed == 4
        assert cfg.model.backbone.base_channels == 8
        assert cfg.train_dataloader.dataset.pipeline[2].scale == (320, 240)
        for ds in cfg.val_dataloader.dataset.datasets:
            assert ds.pipeline[1].scale == (320, 240)
        if name == 'uis_rb':  # the sampler follows the dataloader's batch
            assert cfg.train_dataloader.sampler.batch_size == 16


def test_the_long_study_continues_the_study_runs():
    """Same scale and seeds as the 6-epoch study, 16 epochs, a subset of its
    methods with the same configs (so its runs can resume theirs)."""
    short = study_tool.load_study(STUDY)
    long = study_tool.load_study(STUDY.replace('.py', '_long.py'))
    assert long.seeds == short.seeds and long.work_dir != short.work_dir
    assert all(short.methods[m] == path for m, path in long.methods.items())
    options = dict(short.cfg_options, **{'train_cfg.max_epochs': 16})
    assert long.cfg_options == options
    cfg = study_tool.run_config(long, 'lis', 1)
    assert cfg.train_cfg.max_epochs == 16
    assert cfg.work_dir == osp.join(long.work_dir, 'lis_s1')
    # its five-seed extension: the same runs (work dir, options, configs)
    # for three of its methods, two more seeds, its own curves and table
    five = study_tool.load_study(STUDY.replace('.py', '_long_5seeds.py'))
    assert five.seeds[:len(long.seeds)] == long.seeds and len(five.seeds) == 5
    assert five.work_dir == long.work_dir and five.out_dir != long.out_dir
    assert five.cfg_options == long.cfg_options
    assert set(five.methods) == {'baseline', 'lis', 'closeness'}
    assert all(long.methods[m] == path for m, path in five.methods.items())


@needs_data
@pytest.mark.parametrize('path', CONFIGS, ids=osp.basename)
def test_underwater_config_builds(path):
    cfg = Config.fromfile(path)
    init_default_scope('mmdet')
    for loader in (cfg.train_dataloader, cfg.val_dataloader):
        for ds in loader.dataset.get('datasets', [loader.dataset]):
            ds.data_root = DATA
    model = MODELS.build(cfg.model)
    assert model.bbox_head.num_classes == 3
    if 'baseline' not in path:
        return
    train = DATASETS.build(cfg.train_dataloader.dataset)
    assert len(train) == 2560
    assert train.metainfo['classes'] == ('0B', '1B', '2B')
    val = DATASETS.build(cfg.val_dataloader.dataset)
    assert len(val) == 128 + 506
    boxes = sum(len(val.get_data_info(i)['instances'])
                for i in range(len(val)))
    assert boxes == 796 + 3218  # the README's 4,014
