# UIS-IR (thesis 4.3): UIS with the regression part of the score set to 0.
_base_ = './fcos_uis_underwater.py'

model = dict(bbox_head=dict(importance_cfg=dict(ignore_regression=True)))
