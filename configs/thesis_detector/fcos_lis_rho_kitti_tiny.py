# LIS-RHO on the bundled KITTI frames (thesis 4.2.6, eq. 4.6): scores are the
# training loss minus the hold-out model's irreducible loss, min-max
# rescaled, sampled with smoothing. Trains on the main split only. The three
# steps before it (guide 07, RHO): split, train the hold-out model, compute
# the irreducible losses into the file below.
_base_ = './fcos_lis_kitti_tiny.py'

train_dataloader = dict(
    dataset=dict(ann_file='train_main.txt'),
    sampler=dict(
        policy=dict(rescale='minmax'),
        score=dict(
            heuristic='lis',
            irreducible_loss='data/kitti_tiny/irreducible_loss_lis.json')))
