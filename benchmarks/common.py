"""What the training benchmarks share: a model from a config and one fixed
batch of real KITTI frames at a chosen scale (no data loading timed)."""
import os.path as osp

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))


def model_and_batch(config, scale, batch, device='cpu', model_cfg=None):
    """Build ``config``'s model (with ``model_cfg`` merged in) on
    ``device`` and a collated batch of ``batch`` bundled KITTI training
    frames resized to ``scale`` (w, h), cycled when ``batch`` > 81.

    Returns:
        (cfg, model, data): the config, the model in training mode with its
        initial weights, and the collated (not yet preprocessed) batch.
    """
    import torch
    from mmengine.config import Config
    from mmengine.dataset import pseudo_collate
    from mmengine.logging import MMLogger
    from mmengine.registry import init_default_scope

    import mmdet_is  # noqa: F401  (registers the components)
    from mmdet.registry import DATASETS, MODELS

    init_default_scope('mmdet')
    # the current logger: warnings only (no per-parameter init messages)
    MMLogger.get_instance('benchmarks', log_level='WARNING')
    cfg = Config.fromfile(config)
    if model_cfg:
        cfg.merge_from_dict(dict(model=model_cfg))
    ds_cfg = cfg.train_dataloader.dataset
    ds_cfg.data_root = osp.join(REPO, 'data', 'kitti_tiny')
    ds_cfg.ann_file = 'train.txt'
    for t in ds_cfg.pipeline:
        if t.type == 'Resize':
            t.scale = tuple(scale)
        if t.type == 'RandomFlip':
            t.prob = 0.0
    dataset = DATASETS.build(ds_cfg)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model).to(device)
    model.init_weights()
    model.train()
    data = pseudo_collate([dataset[i % len(dataset)] for i in range(batch)])
    return cfg, model, data
