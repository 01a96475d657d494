# The thesis reproduction: UIS as printed, the slowest method measured
# (README, "Does it pay?"); the best is heuristic='closeness'.
# UIS-IR (thesis 4.3): UIS with the regression part of the score set to 0.
_base_ = './fcos_uis_zodfar.py'

train_dataloader = dict(
    sampler=dict(
        score=dict(heuristic='uis', reduction='mean',
                   ignore_regression=True)))
