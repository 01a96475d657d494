# The thesis reproduction: UIS as printed, the slowest method measured
# (README, "Does it pay?"); the best is heuristic='closeness'.
# UIS as the thesis prints it (eq. 4.5, object-wise mean) on the bundled KITTI
# frames: the baseline plus three changes - the head scores every image of a
# step, the ImportanceSampler draws from the scores, and the hook connects them.
_base_ = './fcos_baseline_kitti_tiny.py'

train_dataloader = dict(
    sampler=dict(
        _delete_=True,
        type='ImportanceSampler',
        batch_size={{_base_.train_dataloader.batch_size}},
        mode='multinomial',
        smoothing=True))
custom_hooks = [
    dict(type='ImportanceSamplingHook', heuristic='uis', reduction='mean')
]
