"""Time to accuracy (study_tool/tta.py) on hand-written curve files."""
import json
import os
import os.path as osp

import pytest

from conftest import load_study_tool
from test_study import BASE, LIS, UIS, write_study

study_tool = load_study_tool()
tta = study_tool.tta


def write_tta_curve(st, method, seed, points, seconds_per_image=0.01):
    """Validation records ``{step: (images_processed, value)}`` with the
    training clock, as ImagesProcessedHook leaves them."""
    scalars = []
    for step, (images, value) in sorted(points.items()):
        scalars.append(dict(loss=1.0, time=1.0, step=step))
        scalars.append({'strat/AP50': value, 'images_processed': images,
                        'train_wall_s': images * seconds_per_image,
                        'step': step})
    path = study_tool.curve_path(st, method, seed)
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        json.dump(dict(method=method, seed=seed, batch=4, scalars=scalars),
                  f)


@pytest.fixture
def methods(tmp_path):
    st = study_tool.load_study(write_study(
        tmp_path, dict(baseline=BASE, m=UIS, never=LIS), [0, 1]))
    steps = [100, 200, 300, 400, 500]  # 4 images per step
    for seed, values in ((0, [.1, .2, .3, .35, .40]),
                         (1, [.1, .2, .3, .38, .42])):
        write_tta_curve(st, 'baseline', seed,
                        {s: (4 * s, v) for s, v in zip(steps, values)})
    # shorter epochs: 60 steps of 4 images between validations
    steps = [60, 120, 180, 240, 300]
    for seed, values in ((0, [.2, .3, .40, .42, .43]),
                         (1, [.2, .3, .38, .41, .44])):
        write_tta_curve(st, 'm', seed,
                        {s: (4 * s, v) for s, v in zip(steps, values)})
    for seed in (0, 1):
        write_tta_curve(st, 'never', seed,
                        {s: (4 * s, .3) for s in steps})
    return study_tool.collect(st)


def test_images_to_target_and_saving_by_hand(methods):
    rows = {r['method']: r for r in tta.tta_table(
        methods, 'baseline', 'strat/AP50', bootstrap=False)}
    base, m = rows['baseline'], rows['m']
    # target = mean final (0.40 + 0.42) / 2 = 0.41; baseline mean curve
    # .1 .2 .3 .365 .41 reaches it at step 500 = 2,000 images
    assert base['target'] == pytest.approx(0.41)
    assert base['images'] == 2000 and base['total_images'] == 2000
    # method mean curve .2 .3 .39 .415 .435: at step 240 = 960 images
    assert m['images'] == 960 and m['saving'] == pytest.approx(2000 / 960)
    assert m['seconds'] == pytest.approx(9.6)
    # paired seeds: seed 0 target .40, baseline at 2,000, method at 720;
    # seed 1 target .42, baseline at 2,000, method at 1,200
    assert m['per_seed'] == [pytest.approx(2000 / 720),
                             pytest.approx(2000 / 1200)]
    assert m['final_mean'] == pytest.approx(0.435)
    never = rows['never']
    assert never['images'] is None and never['saving'] is None
    assert never['per_seed'] == [None, None]
    text = tta.format_tta(list(rows.values()), 'strat/AP50')
    assert '| m | 2 | 1.0k | 2.08x | 2.78x, 1.67x |' in text
    assert '| never | 2 | never | never | never, never |' in text
    rows['never'].update(ci_low=0.0, ci_high=0.0, paired=True)
    text = tta.format_tta([rows['baseline'], rows['never']], 'strat/AP50')
    assert '| never, never | [never, never] |' in text


def test_a_seed_without_a_baseline_run_is_not_paired(methods):
    # a reference arm with seed 0 only, the method with seeds 0 and 1:
    # seed 1 has no partner, so its column says '-', not 'never'
    rows = {r['method']: r for r in tta.tta_table(
        dict(baseline=methods['baseline'][:1], m=methods['m']),
        'baseline', 'strat/AP50', bootstrap=False)}
    m = rows['m']
    # seed 0: the baseline reaches its final .40 at 2,000, the method at 720
    assert m['per_seed'][0] == pytest.approx(2000 / 720)
    assert m['per_seed'][1] != m['per_seed'][1]  # NaN: no pair
    text = tta.format_tta(list(rows.values()), 'strat/AP50')
    assert '| 2.78x, - |' in text


def test_paired_bootstrap_against_all_resamples(methods):
    # seeds resampled jointly: {0, 0} w.p. 1/4 -> 2000 / 720 = 2.78x,
    # {0, 1} w.p. 1/2 -> 2.08x, {1, 1} w.p. 1/4 -> 2000 / 1200 = 1.67x;
    # the 10 % and 90 % quantiles are 1.67x and 2.78x
    lo, hi, paired = tta.bootstrap_saving(
        methods['baseline'], methods['m'], 'strat/AP50', confidence=0.8,
        n_resamples=4000)
    assert paired
    assert (lo, hi) == (pytest.approx(2000 / 1200), pytest.approx(2000 / 720))
    lo, hi, _ = tta.bootstrap_saving(methods['baseline'], methods['never'],
                                     'strat/AP50', n_resamples=500)
    assert (lo, hi) == (0.0, 0.0)


def test_curves_without_recorded_images_count_iterations(methods):
    run = dict(methods['baseline'][0])
    run['val'] = {'strat/AP50': run['val']['strat/AP50']}  # no images key
    _, images, _, seconds = tta.points(run, 'strat/AP50')
    assert images.tolist() == [400, 800, 1200, 1600, 2000]  # step x batch 4
    assert all(s != s for s in seconds)  # NaN: not recorded
