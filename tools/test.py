"""Evaluate a checkpoint: MMDetection's ``tools/test.py`` workflow.

    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--out FILE]
                                           [--cfg-options key=value ...]

With ``--launcher pytorch`` on a machine without CUDA (``tools/dist_test.sh
CONFIG CHECKPOINT 2`` on a CPU) the processes join a gloo group.
"""
import argparse
import os
import os.path as osp

from mmengine.config import Config, DictAction
from mmengine.runner import Runner

from mmdet.utils import setup_cache_size_limit_of_dynamo
from mmdet_is.utils import join_cpu_process_group


def parse_args():
    parser = argparse.ArgumentParser(description='Test (and eval) a model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--work-dir', help='the dir to save evaluation logs')
    parser.add_argument('--out', help='dump predictions to a pickle file')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override settings of the config, key=value')
    parser.add_argument('--launcher', default='none',
                        choices=['none', 'pytorch', 'slurm', 'mpi'])
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def main():
    args = parse_args()
    setup_cache_size_limit_of_dynamo()
    cfg = Config.fromfile(args.config)
    cfg.launcher = args.launcher
    if args.launcher == 'pytorch':
        join_cpu_process_group(cfg)
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    cfg.load_from = args.checkpoint
    if args.out is not None:
        cfg.test_evaluator = [
            cfg.test_evaluator,
            dict(type='DumpDetResults', out_file_path=args.out)
        ]
    runner = Runner.from_cfg(cfg)
    runner.test()


if __name__ == '__main__':
    main()
