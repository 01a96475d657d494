"""tools/dist_train.sh on this machine without CUDA: two processes train
on the CPU with gloo (tools/train.py joins the group itself)."""
import os
import os.path as osp
import subprocess

import torch

from conftest import REPO_ROOT, free_port


def test_dist_train_sh_trains_two_ranks_on_the_cpu(tmp_path):
    kitti = osp.join(REPO_ROOT, 'data', 'kitti_tiny')
    work = str(tmp_path / 'work')
    cmd = ['bash', osp.join(REPO_ROOT, 'tools', 'dist_train.sh'),
           osp.join(REPO_ROOT, 'configs', 'thesis_detector', 'fcos_tiers_kitti_tiny.py'), '2',
           '--work-dir', work, '--cfg-options',
           f'train_dataloader.dataset.data_root={kitti}',
           'train_dataloader.dataset.indices=8',
           'train_dataloader.batch_size=2',
           'train_dataloader.sampler.batch_size=2',
           'train_dataloader.num_workers=0',
           'train_dataloader.persistent_workers=False',
           'train_dataloader.dataset.pipeline.2.scale=(320,96)',
           'train_cfg.max_epochs=1', 'val_dataloader=None', 'val_cfg=None',
           'val_evaluator=None', 'test_dataloader=None', 'test_cfg=None',
           'test_evaluator=None']
    env = dict(os.environ, PORT=str(free_port()), OMP_NUM_THREADS='1',
               CUDA_VISIBLE_DEVICES='')
    done = subprocess.run(cmd, cwd=str(tmp_path), env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    ckpt = torch.load(osp.join(work, 'epoch_1.pth'), weights_only=False)
    # 2 ranks x 2 images: a global batch of 4, 8 images in 2 iterations
    assert ckpt['importance_sampler']['global_batch'] == 4
    assert ckpt['meta']['iter'] == 2
    assert ckpt['images_processed']['images'] == 8
