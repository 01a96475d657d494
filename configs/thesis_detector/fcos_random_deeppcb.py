# The control of per-epoch selection: 60 % of the images each epoch, drawn
# uniformly without replacement (what a shorter schedule does, at the same
# epochs). Every image is still scored (LIS) for the log.
_base_ = './fcos_tiers_deeppcb.py'

train_dataloader = dict(
    sampler=dict(
        policy=dict(_delete_=True, type='random', keep_ratio=0.6),
        score=dict(heuristic='lis', reduction='mean')))
