# LIS (thesis 4.2.3: the loss as the score), object-wise mean.
_base_ = './fcos_uis_underwater.py'

model = dict(bbox_head=dict(importance_cfg=dict(heuristic='lis')))
