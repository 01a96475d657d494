"""Speed-up in iterations of importance sampling over the baseline (eq. 5.1),
from the command line (the computation: ``study_tool/speedup.py``).

Reads mmengine's ``vis_data/scalars.json`` of several runs per method and
prints, per metric and size stratum, the speed-up on the mean curves (the
definitions: ``study_tool/speedup.py``), with the plots of
``study_tool/plots.py``:

    python tools/analysis/speedup.py \\
        --run baseline=work_dirs/base_s0 --run baseline=work_dirs/base_s1 \\
        --run uis=work_dirs/uis_s0 --run uis=work_dirs/uis_s1 \\
        --baseline baseline --metric strat/AP50 --out-dir speedup/

Runs of different lengths are averaged over the runs that have a value at
each iteration (the count is reported); a run without validations is reported
and skipped; a method that never passes the baseline's peak is reported as
such.
"""
import argparse
import os
import os.path as osp
from collections import OrderedDict
from typing import Dict, List

from study_tool.curves import SIZES, read_run
from study_tool.plots import plot_panels
from study_tool.speedup import class_names, format_speedups, num_gt, speedups


def parse_runs(specs: List[str]) -> Dict[str, List[dict]]:
    """``method=work_dir`` strings -> {method: [run, ...]}; runs that cannot
    be read are reported and skipped."""
    methods: Dict[str, List[dict]] = OrderedDict()
    for spec in specs:
        if '=' not in spec:
            raise ValueError(f'--run expects METHOD=WORK_DIR, got {spec!r}')
        name, work_dir = spec.split('=', 1)
        try:
            run = read_run(work_dir)
        except FileNotFoundError as err:
            print(f'skipped: {err}')
            continue
        if not run['val']:
            print(f'skipped: {work_dir} has no validation values')
            continue
        methods.setdefault(name, []).append(run)
    return methods


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--run', action='append', required=True,
                        help='METHOD=WORK_DIR, repeat per run')
    parser.add_argument('--baseline', default='baseline')
    parser.add_argument('--metric', default='strat/AP50')
    parser.add_argument('--prefix', default='strat',
                        help='metric prefix of the stratified keys')
    parser.add_argument('--out-dir', default='speedup')
    args = parser.parse_args()
    methods = parse_runs(args.run)
    os.makedirs(args.out_dir, exist_ok=True)
    table = speedups(methods, args.baseline, args.metric)
    text = format_speedups(table, args.metric)
    p = args.prefix
    for size in SIZES:
        text += '\n\n' + format_speedups(
            speedups(methods, args.baseline, f'{p}/AP50_{size}'),
            f'{p}/AP50_{size}')
    print(text)
    with open(osp.join(args.out_dir, 'speedup.txt'), 'w') as f:
        f.write(text + '\n')
    plot_panels(methods, args.baseline, [[args.metric]], [[args.metric]],
                osp.join(args.out_dir, 'speedup.png'),
                f'{args.metric}: mean of runs, band = 1 std')
    plot_panels(methods, args.baseline,
                [[args.metric] + [f'{p}/AP50_{s}' for s in SIZES]],
                [['all'] + list(SIZES)],
                osp.join(args.out_dir, 'speedup_by_size.png'),
                'AP@0.5 by object size (fraction of the image area)')
    names = class_names(methods, p)
    if names:
        plot_panels(methods, args.baseline,
                    [[f'{p}/AP50_{n}_{s}' for s in SIZES] for n in names],
                    [[f'{n} {s}, {num_gt(methods, f"{p}/num_gt_{n}_{s}")} '
                      'objects' for s in SIZES] for n in names],
                    osp.join(args.out_dir, 'speedup_by_class_size.png'),
                    'AP@0.5 by class x size')
    print(f'plots and table written to {args.out_dir}/')


if __name__ == '__main__':
    main()
