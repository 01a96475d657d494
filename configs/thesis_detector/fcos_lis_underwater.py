# LIS (thesis 4.2.3: the loss as the score), object-wise mean.
_base_ = './fcos_closeness_underwater.py'

train_dataloader = dict(
    sampler=dict(score=dict(heuristic='lis', reduction='mean')))
