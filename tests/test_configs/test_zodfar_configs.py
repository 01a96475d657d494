"""Every ZODFAR config builds; the UIS one trains a few iterations on a
converted fixture with the request's own command, ``mim train mmdet
configs/fcos_uis_zodfar.py``."""
import glob
import json
import os.path as osp
import subprocess
import sys

import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope

from conftest import REPO_ROOT, load_tool
from mmdet.registry import DATASETS, MODELS
from mmdet_is.testing import ZodFixtureObject as O
from mmdet_is.testing import write_zod_fixture

ZODFAR_CONFIGS = sorted(glob.glob(osp.join(REPO_ROOT, 'configs', 'zod',
                                           '*_zodfar.py')))
FRAMES = {f'{i:06d}': ('train' if i < 5 else 'val', [
    O('Vehicle', (1300 + 40 * i, 950, 1500 + 40 * i, 1100)),
    O('Pedestrian', (2000, 1000, 2030, 1080)),
    O('Inconclusive', (1700, 1000, 1710, 1006), unclear=True)])
    for i in range(1, 7)}


@pytest.fixture(scope='module')
def zod_and_zodfar(tmp_path_factory):
    zod = str(tmp_path_factory.mktemp('zod'))
    zodfar = str(tmp_path_factory.mktemp('zodfar'))
    write_zod_fixture(zod, FRAMES)
    conv = load_tool('dataset_converters/zod_to_zodfar.py')
    assert conv.main([zod, zodfar, '--version', 'mini', '--workers', '0']) == 0
    split = load_tool('rho/split_holdout.py')  # 4 train images: 3 + 1
    assert split.main([osp.join(zodfar, 'annotations',
                                'zodfar_train.json')]) == 0
    return zod, zodfar


def data_root_options(root):
    return [f'{k}_dataloader.dataset.data_root={root}'
            for k in ('train', 'val', 'test')]


def test_the_thesis_configs_are_all_there():
    names = {osp.basename(c) for c in ZODFAR_CONFIGS}
    assert {'fcos_baseline_zodfar.py', 'fcos_uis_zodfar.py',
            'fcos_lis_zodfar.py', 'fcos_uis_ir_zodfar.py',
            'fcos_uis_rb_zodfar.py', 'retinanet_r50_fpn_zodfar.py',
            'fcos_lis_rho_zodfar.py',
            'fcos_holdout_r34quarter_zodfar.py'} <= names


@pytest.mark.parametrize('path', ZODFAR_CONFIGS,
                         ids=[osp.basename(c) for c in ZODFAR_CONFIGS])
def test_zodfar_config_builds(path, zod_and_zodfar):
    cfg = Config.fromfile(path)
    init_default_scope('mmdet')
    cfg.train_dataloader.dataset.data_root = zod_and_zodfar[1]
    ds = DATASETS.build(cfg.train_dataloader.dataset)
    assert ds.metainfo['classes'] == ('Pedestrian', 'Vehicle',
                                      'VulnerableVehicle', 'Animal')
    expected_len = 1 if 'holdout' in path else 3 if 'rho' in path else 4
    assert len(ds) == expected_len
    assert ds[0]['inputs'].shape == (3, 384, 1280)
    model = MODELS.build(cfg.model)
    assert model.bbox_head.num_classes == 4
    if 'fcos_' in path:  # the thesis hyperparameters
        assert cfg.train_dataloader.batch_size == 128
        assert cfg.optim_wrapper.optimizer == dict(
            type='Adam', lr=1e-3, betas=(0.9, 0.999), eps=1e-7,
            weight_decay=0.0)
        if 'iter' in path:  # 350 epochs of 703 iterations
            assert cfg.train_cfg.type == 'ImportanceIterBasedTrainLoop'
            assert (cfg.train_cfg.max_iters,
                    cfg.train_cfg.val_interval) == (246050, 3515)
        else:
            assert cfg.train_cfg.max_epochs == (100 if 'holdout' in path
                                                else 350)
        assert (cfg.model.test_cfg.score_thr,
                cfg.model.test_cfg.nms.iou_threshold) == (0.5, 0.5)
    hooks = [h for h in cfg.get('custom_hooks', [])
             if h.type == 'ImportanceSamplingHook']
    expected = {  # (heuristic, ignore_regression, sampler mode, rescale)
        'fcos_uis_zodfar.py': ('uis', False, 'multinomial', None),
        'fcos_lis_zodfar.py': ('lis', False, 'multinomial', None),
        'fcos_uis_ir_zodfar.py': ('uis', True, 'multinomial', None),
        'fcos_uis_rb_zodfar.py': ('uis', False, 'rejection', None),
        'fcos_uis_iter_zodfar.py': ('uis', False, 'multinomial', None),
        'fcos_lis_rho_zodfar.py': ('lis', False, 'multinomial', 'minmax'),
    }.get(osp.basename(path))
    if expected is None:
        assert not hooks
        assert cfg.train_dataloader.sampler.type == 'DefaultSampler'
    else:
        assert 'importance_cfg' not in cfg.model.bbox_head
        sampler = cfg.train_dataloader.sampler
        assert (sampler.score.heuristic,
                sampler.score.get('ignore_regression', False),
                sampler.policy.get('mode', 'multinomial'),
                sampler.policy.get('rescale')) == expected
    if 'holdout' in path:  # quarter-width ResNet34
        assert cfg.model.backbone.base_channels == 16


def test_online_zodfar_config_reads_the_same_frames(zod_and_zodfar):
    cfg = Config.fromfile(osp.join(REPO_ROOT, 'configs', '_base_',
                                   'datasets', 'zodfar_online.py'))
    init_default_scope('mmdet')
    online = DATASETS.build(dict(cfg.val_dataloader.dataset,
                                 data_root=zod_and_zodfar[0], version='mini'))
    cfg = Config.fromfile(osp.join(REPO_ROOT, 'configs', '_base_',
                                   'datasets', 'zodfar.py'))
    offline = DATASETS.build(dict(cfg.val_dataloader.dataset,
                                  data_root=zod_and_zodfar[1]))
    a, b = online[0], offline[0]
    assert (a['inputs'] == b['inputs']).all()
    assert a['data_samples'].instances == b['data_samples'].instances
    assert a['data_samples'].ori_shape == (384, 1280)


def test_the_top_level_uis_config_is_the_zod_one():
    top = Config.fromfile(osp.join(REPO_ROOT, 'configs', 'fcos_uis_zodfar.py'))
    zod = Config.fromfile(osp.join(REPO_ROOT, 'configs', 'zod',
                                   'fcos_uis_zodfar.py'))
    assert top.to_dict() == zod.to_dict()


def test_uis_zodfar_trains_with_the_requests_mim_command(zod_and_zodfar,
                                                          tmp_path):
    options = data_root_options(zod_and_zodfar[1]) + [
        'train_dataloader.batch_size=2', 'train_dataloader.sampler.batch_size=2',
        'train_dataloader.num_workers=0', 'val_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False',
        'val_dataloader.persistent_workers=False',
        'val_dataloader.batch_size=2', 'train_cfg.max_epochs=2',
        'train_cfg.val_interval=2', 'model.test_cfg.score_thr=0.05',
        'default_hooks.logger.interval=1']
    work_dir = str(tmp_path / 'work')
    # mim runs mmdet's own tools/train.py (<site-packages>/mmdet/.mim/),
    # which loads mmdet_is through the config's custom_imports
    mim = osp.join(osp.dirname(sys.executable), 'mim')
    proc = subprocess.run(
        [mim, 'train', 'mmdet', 'configs/fcos_uis_zodfar.py',
         '--work-dir', work_dir, '--cfg-options', *options],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert osp.isfile(osp.join(work_dir, 'epoch_2.pth'))
    scalars = glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json'))
    records = [json.loads(line) for line in open(scalars[0])]
    losses = [r['loss'] for r in records if 'loss' in r]
    assert len(losses) == 4 and all(v == v for v in losses)  # 2 x 2 iters
    assert any('strat/AP50' in r for r in records)
    assert any('importance_ess_fraction' in r for r in records)
