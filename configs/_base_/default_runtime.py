default_scope = 'mmdet'

default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    # metrics logged at the iteration (not the epoch) so that runs with
    # different samplers and lengths compare on one axis
    logger=dict(type='LoggerHook', interval=10, log_metric_by_epoch=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', interval=1, max_keep_ckpts=3,
                    save_best='strat/AP50', rule='greater'),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='DetVisualizationHook'),
    # images processed and training wall-clock beside every validation
    # (time-to-accuracy; tools/analysis/study.py reads them)
    images_processed=dict(type='ImagesProcessedHook'),
    # warns when --cfg-options data_root=D cannot reach the dataloaders
    data_root_check=dict(type='DataRootCheckHook'))

env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    dist_cfg=dict(backend='nccl'))

vis_backends = [
    dict(type='LocalVisBackend'),
    dict(type='TensorboardVisBackend')
]
visualizer = dict(
    type='DetLocalVisualizer', vis_backends=vis_backends, name='visualizer')
log_processor = dict(type='LogProcessor', window_size=10, by_epoch=True)

log_level = 'INFO'
load_from = None
resume = False
randomness = dict(seed=0)
