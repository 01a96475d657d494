# LIS (thesis 4.2.3: the loss as the score, object-wise mean) on ZODFAR.
_base_ = './fcos_uis_zodfar.py'

train_dataloader = dict(
    sampler=dict(score=dict(heuristic='lis', reduction='mean')))
