# The thesis reproduction: UIS as printed, the slowest method measured
# (README, "Does it pay?"); the best is heuristic='closeness'.
# UIS as printed (thesis eq. 4.5), object-wise mean, on the underwater images:
# the baseline plus the three importance-sampling settings.
_base_ = './fcos_baseline_underwater.py'

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
