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


def test_class_name_sets_leave_out_dont_care():
    from mmdet.registry import DATASETS
    ds = DATASETS.build(dict(
        type='KittiDataset', data_root=osp.join(REPO_ROOT, 'data',
                                                'kitti_tiny'),
        ann_file='train.txt', pipeline=[]))
    classes = report.class_name_sets(ds)
    # 000000: one Pedestrian; 000003: one Car and two DontCare regions
    assert classes[0] == {'Pedestrian'} and classes[3] == {'Vehicle'}


def test_rho_comparison_by_hand():
    # s = L_train - L_ho = [2, .5, .5, -1], L_ho = [1, .5, 2, 1.5]
    # RHO: s - min = [3, 1.5, 1.5, 0], c = 6 / 16 = .375,
    #   p = [3.375, 1.875, 1.875, .375] / 7.5 = [.45, .25, .25, .05]
    # plain: L_train = [3, 1, 2.5, .5], c = 7 / 16 = .4375,
    #   p = [3.4375, 1.4375, 2.9375, .9375] / 8.75
    scores = np.array([2, .5, .5, -1])
    irr = np.array([1, .5, 2, 1.5])
    np.testing.assert_allclose(report.sampling_distribution(scores + irr),
                               np.array([3.4375, 1.4375, 2.9375, .9375])
                               / 8.75)
    text = report.rho_comparison(scores, irr, ['a', 'b', 'c', 'd'],
                                 [{'Vehicle'}, {'Pedestrian'}, set(),
                                  {'Vehicle'}], ['Pedestrian', 'Vehicle'],
                                 top=1)
    p_rho = np.array([.45, .25, .25, .05])
    ess = 1 / (p_rho @ p_rho) / 4  # 1 / .33 / 4 = .758
    assert text.splitlines()[0].startswith(f'ESS fraction: RHO {ess:.3f}')
    # ratios: a .45/.3929=1.15, b .25/.1643=1.52, c .25/.3357=.74,
    # d .05/.1071=.47 -> b gains most, d loses most
    lines = text.splitlines()
    assert lines[3].split()[:2] == ['b', '1.52']
    assert lines[5].split()[:2] == ['d', '0.47']
    assert lines[-1] == 'mean p_RHO / p_plain, images with Vehicle: 0.81 ' \
        '(2 images)'
