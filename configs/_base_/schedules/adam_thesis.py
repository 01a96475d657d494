# Optimiser of the thesis (section 4.5): Adam, lr 1e-3, betas (0.9, 0.999),
# eps 1e-7, constant learning rate. Epoch counts are set by each config.
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='Adam', lr=1e-3, betas=(0.9, 0.999), eps=1e-7,
                   weight_decay=0.0),
    clip_grad=dict(max_norm=35, norm_type=2))
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=350, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
param_scheduler = []
