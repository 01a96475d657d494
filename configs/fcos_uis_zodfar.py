# The thesis reproduction: UIS as printed, the slowest method measured
# (README, "Does it pay?"); the best is heuristic='closeness'.
# UIS (thesis eq. 4.5, object-wise mean reduction) on ZODFAR, the thesis'
# best sampler:
#   mim train mmdet configs/fcos_uis_zodfar.py
# The baseline plus: the head scores each image of a step, the
# ImportanceSampler draws from the scores, the hook connects them.
_base_ = './fcos_baseline_zodfar.py'

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
