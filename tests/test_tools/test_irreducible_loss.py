"""tools/rho/irreducible_loss.py on real KITTI frames with a saved model."""
import json
import os.path as osp

import numpy as np
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

from conftest import REPO_ROOT, load_tool
from mmdet.registry import MODELS

tool = load_tool('rho/irreducible_loss.py')
FRAMES = ['000003', '000004', '000081', '000090', '000097']
CLASSES = ('Pedestrian', 'Vehicle', 'VulnerableVehicle', 'Animal')


def setup_files(tmp_path, classes):
    """A quarter-width hold-out model checkpoint and an RHO config on five
    frames at 320 x 96."""
    init_default_scope('mmdet')
    ho = Config.fromfile(osp.join(REPO_ROOT, 'configs',
                                  'thesis_detector', 'fcos_holdout_r34quarter_kitti_tiny.py'))
    torch.manual_seed(0)
    model = MODELS.build(ho.model)
    model.init_weights()
    ckpt = str(tmp_path / 'holdout.pth')
    torch.save(dict(state_dict=model.state_dict(),
                    meta=dict(dataset_meta=dict(classes=classes))), ckpt)
    (tmp_path / 'split.txt').write_text('\n'.join(FRAMES))
    rho = Config.fromfile(osp.join(REPO_ROOT, 'configs',
                                   'thesis_detector', 'fcos_lis_rho_kitti_tiny.py'))
    ds = rho.train_dataloader.dataset
    ds.data_root = osp.join(REPO_ROOT, 'data', 'kitti_tiny')
    ds.ann_file = str(tmp_path / 'split.txt')
    for t in ds.pipeline:
        if t.type == 'Resize':
            t.scale = (320, 96)
    rho.train_dataloader.sampler.score.irreducible_loss = str(
        tmp_path / 'irr.json')
    rho_path = str(tmp_path / 'rho.py')
    rho.dump(rho_path)
    ho_path = osp.join(REPO_ROOT, 'configs',
                       'thesis_detector', 'fcos_holdout_r34quarter_kitti_tiny.py')
    return ho_path, ckpt, rho_path


def test_writes_one_loss_per_image_independent_of_the_batch(tmp_path):
    ho, ckpt, rho = setup_files(tmp_path, CLASSES)
    args = [ho, ckpt, rho, '--num-workers', '0', '--device', 'cpu']
    assert tool.main(args + ['--batch-size', '2']) == 0
    record = json.load(open(tmp_path / 'irr.json'))  # the config's path
    assert (record['heuristic'], record['reduction']) == ('lis', 'mean')
    assert sorted(record['losses']) == ['3', '4', '81', '90', '97']
    assert tool.main(args + ['--batch-size', '1',
                             '--out', str(tmp_path / 'one.json')]) == 0
    single = json.load(open(tmp_path / 'one.json'))['losses']
    # eval mode: an image's value does not depend on its batch
    keys = sorted(single)
    np.testing.assert_allclose([record['losses'][k] for k in keys],
                               [single[k] for k in keys], rtol=1e-4)
    assert all(v > 0 for v in single.values())  # LIS: CE + GIoU loss


def test_refuses_a_checkpoint_of_other_classes(tmp_path, capsys):
    ho, ckpt, rho = setup_files(tmp_path, ('Car', 'Pedestrian'))
    assert tool.main([ho, ckpt, rho, '--num-workers', '0', '--device',
                      'cpu']) == 1
    assert "trained on classes ('Car', 'Pedestrian')" in \
        capsys.readouterr().err
    assert not (tmp_path / 'irr.json').exists()
