# LIS-RHO on ZODFAR (thesis 4.2.6, eq. 4.6): the training loss minus the
# hold-out model's irreducible loss, min-max rescaled over all scores and
# sampled with smoothing; trains on the main split (hold-out excluded).
# Steps before it (guide 07, RHO): split, train the hold-out model
# (fcos_holdout_r34quarter_zodfar.py), compute the irreducible losses.
_base_ = './fcos_lis_zodfar.py'

train_dataloader = dict(
    dataset=dict(ann_file='annotations/zodfar_train_main.json'),
    sampler=dict(
        policy=dict(rescale='minmax'),
        score=dict(
            heuristic='lis',
            irreducible_loss='data/zodfar/annotations/irreducible_loss_lis.json'
        )))
