"""Several processes on a machine without CUDA (torchrun / dist_train.sh)."""


def join_cpu_process_group(cfg) -> bool:
    """Join a gloo process group where mmengine's ``init_dist`` cannot.

    ``--launcher pytorch`` (torchrun, ``tools/dist_train.sh CONFIG N``) makes
    mmengine's Runner call ``init_dist``, which sets a CUDA device. On a
    machine without CUDA this process joins a gloo group itself (torchrun's
    environment gives the rank, the world size and the address), the config
    is switched to gloo and the model to a CPU ``MMDistributedDataParallel``
    (``device_ids=None``), and the Runner then finds the group initialised.
    Does nothing where CUDA is available or a group exists.

    Args:
        cfg: the mmengine config about to build the Runner (changed in
            place).

    Returns:
        bool: True when this process joined a gloo group.
    """
    import torch
    import torch.distributed as dist
    if torch.cuda.is_available() or dist.is_initialized():
        return False
    dist.init_process_group('gloo')
    cfg.setdefault('env_cfg', {}).setdefault('dist_cfg', {})['backend'] = \
        'gloo'
    if cfg.get('model_wrapper_cfg') is None:
        cfg.model_wrapper_cfg = dict(type='MMDistributedDataParallel',
                                     device_ids=None)
    return True
