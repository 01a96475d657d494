# UIS-RB (thesis 4.2.7, Algorithm 5): UIS scores, rejection-based sampling.
_base_ = './fcos_uis_underwater.py'

train_dataloader = dict(sampler=dict(mode='rejection'))
