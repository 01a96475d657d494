import json
import os.path as osp

import numpy as np
from PIL import Image

from conftest import REPO_ROOT, load_tool

report = load_tool('analysis/sampler_report.py')


def test_series_and_report_png(tmp_path):
    path = tmp_path / 'scalars.json'
    recs = [dict(loss=1, importance_ess_fraction=1 - 0.1 * k,
                 importance_coverage=min(1, 0.4 * k), step=10 * k)
            for k in range(1, 4)] + [{'strat/AP50': 0.2, 'step': 30}]
    path.write_text('\n'.join(json.dumps(r) for r in recs))
    series = report.read_series(str(path), ['importance_ess_fraction',
                                            'importance_coverage'])
    assert series['importance_coverage'] == ([10, 20, 30], [0.4, 0.8, 1])
    assert np.allclose(series['importance_ess_fraction'][1], [.9, .8, .7])
    out = tmp_path / 'r.png'
    report.plot_report(series, np.array([3, 0, 1, 5]),
                       [{'Vehicle'}, set(), {'Vehicle', 'Pedestrian'},
                        {'Pedestrian'}], ['Pedestrian', 'Vehicle'], str(out))
    assert Image.open(out).size[0] > 1000


def test_classes_per_image_leaves_out_dont_care():
    from mmdet.registry import DATASETS
    ds = DATASETS.build(dict(
        type='KittiDataset', data_root=osp.join(REPO_ROOT, 'data',
                                                'kitti_tiny'),
        ann_file='train.txt', pipeline=[]))
    classes = report.classes_per_image(ds)
    # 000000: one Pedestrian; 000003: one Car and two DontCare regions
    assert classes[0] == {'Pedestrian'} and classes[3] == {'Vehicle'}
