# The control of per-epoch selection: 60 % of the images each epoch, drawn
# uniformly without replacement (what a shorter schedule does, at the same
# epochs). The hook still scores every image (LIS) for the log.
_base_ = './fcos_tiers_deeppcb.py'

train_dataloader = dict(sampler=dict(rule=dict(_delete_=True, type='random')))
custom_hooks = [dict(type='ImportanceSamplingHook', heuristic='lis')]
