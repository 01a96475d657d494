"""End-to-end proof that targets, loss, decoding and NMS agree.

Trains the kitti_tiny config on four real frames at low resolution and checks
that the detector fits them: training-set AP@0.5 for Vehicle > 0.5.
"""
import os.path as osp

from mmengine.config import Config
from mmengine.runner import Runner

# Frames whose objects are all vehicles (plus don't-care regions), so the
# COCO mAP@0.5 over the categories that have ground truth is Vehicle AP@0.5.
FRAMES = ['000006', '000008', '000037', '000044']
SCALE = (448, 136)


def overfit_cfg(repo_root, work_dir):
    cfg = Config.fromfile(
        osp.join(repo_root, 'configs', 'thesis_detector', 'fcos_baseline_kitti_tiny.py'))
    split = osp.join(work_dir, 'overfit.txt')
    with open(split, 'w') as f:
        f.write('\n'.join(FRAMES) + '\n')
    root = osp.join(repo_root, 'data', 'kitti_tiny')
    for loader in (cfg.train_dataloader, cfg.val_dataloader):
        loader.update(num_workers=0, persistent_workers=False, batch_size=4)
        loader.dataset.update(data_root=root, ann_file=split)
        for t in loader.dataset.pipeline:
            if t.type == 'Resize':
                t.scale = SCALE
    cfg.train_dataloader.dataset.pipeline = [
        t for t in cfg.train_dataloader.dataset.pipeline
        if t.type != 'RandomFlip']
    cfg.train_dataloader.sampler = dict(type='InfiniteSampler', shuffle=True)
    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=250,
                         val_interval=10**6)
    cfg.default_hooks.update(
        checkpoint=dict(type='CheckpointHook', interval=10**6),
        logger=dict(type='LoggerHook', interval=50))
    cfg.default_hooks.pop('visualization')
    cfg.visualizer.vis_backends = [dict(type='LocalVisBackend')]
    cfg.log_processor.by_epoch = False
    cfg.work_dir = work_dir
    return cfg


def test_overfits_four_real_frames(repo_root, tmp_path):
    runner = Runner.from_cfg(overfit_cfg(repo_root, str(tmp_path)))
    runner.train()
    metrics = runner.val_loop.run()
    assert metrics['coco/bbox_mAP_50'] > 0.5, metrics
