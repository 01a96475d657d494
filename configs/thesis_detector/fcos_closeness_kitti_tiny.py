# Threshold closeness (Chang et al. 2017; docs/method.md "Note"), object-wise
# mean, on the bundled KITTI frames: the baseline plus the sampler (its
# policy and score) and the hook. The best heuristic the underwater speed-up
# studies measured (README, "Does it pay?"); UIS as the thesis prints it is
# fcos_uis_kitti_tiny.py (the thesis reproduction).
_base_ = './fcos_baseline_kitti_tiny.py'

train_dataloader = dict(
    sampler=dict(
        _delete_=True,
        type='ImportanceSampler',
        batch_size={{_base_.train_dataloader.batch_size}},
        policy=dict(type='importance'),
        score=dict(heuristic='closeness', reduction='mean')))
custom_hooks = [dict(type='ImportanceSamplingHook')]
