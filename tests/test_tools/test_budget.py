"""Budget curves of the study tool, worked by hand on made-up runs: the
points of complete schedules, uniform's monotone curve and its inverse
(never extrapolated), the saving at a point with its seed bootstrap and
its t-based interval, the plateau reading, and the same paired by
seed."""
import numpy as np
import pytest
from scipy.stats import t as student_t

from conftest import load_study_tool

study_tool = load_study_tool()
budget = study_tool.budget
METRIC = 'strat/AP50'


def run(images, final, seed, wall=60.0):
    """A run validated at its middle and its end."""
    return dict(seed=seed, wall_s=wall,
                val={METRIC: {1: final / 2, 2: final},
                     'images_processed': {1: images // 2, 2: images}})


def arm(images, finals):
    return [run(images, f, s) for s, f in enumerate(finals)]


METHODS = dict(u8=arm(8000, [0.30, 0.32]), u16=arm(16000, [0.40, 0.42]),
               u24=arm(24000, [0.46, 0.48]), u32=arm(32000, [0.44, 0.46]),
               c8=arm(8000, [0.40, 0.42]), c16=arm(16000, [0.50, 0.52]))
FAMILIES = dict(uniform=['u32', 'u8', 'u24', 'u16'], closeness=['c8', 'c16'])


def curves():
    return budget.schedule_points(METHODS, FAMILIES, METRIC)


def test_points_are_the_complete_schedules_fewest_images_first():
    uniform = curves()['uniform']
    assert [p['arm'] for p in uniform] == ['u8', 'u16', 'u24', 'u32']
    u16 = uniform[1]
    assert u16['images'] == 16000 and u16['final'] == pytest.approx(0.41)
    assert u16['final_std'] == pytest.approx(0.01)  # (0.40, 0.42)
    assert u16['finals'] == {0: 0.40, 1: 0.42} and u16['wall_s'] == 60.0


def test_the_monotone_curve_pools_a_longer_schedule_that_ends_lower():
    # means 0.31, 0.41, 0.47, 0.45 (2 seeds each): 24k and 32k violate the
    # order and pool to (0.47 + 0.45) / 2 = 0.46
    images, acc = budget.monotone_curve(curves()['uniform'])
    assert images.tolist() == [8000, 16000, 24000, 32000]
    np.testing.assert_allclose(acc, [0.31, 0.41, 0.46, 0.46])
    curve = (images, acc)
    # 0.36 is halfway between 0.31 (8k) and 0.41 (16k): 12k
    assert budget.images_for(curve, 0.36) == (pytest.approx(12000), '=')
    # 0.46 is first reached at 24k (the flat part adds nothing)
    assert budget.images_for(curve, 0.46) == (pytest.approx(24000), '=')
    # never extrapolated: beyond the end, before the start
    assert budget.images_for(curve, 0.50) == (32000, '>')
    assert budget.images_for(curve, 0.20) == (8000, '<')
    assert budget.accuracy_at(curve, 12000) == pytest.approx(0.36)
    assert budget.accuracy_at(curve, 40000) is None


def test_the_saving_at_a_point_by_hand():
    uniform, closeness = curves()['uniform'], curves()['closeness']
    c8, c16 = closeness
    # c8 ends at 0.41, uniform's 16k: 16000 / 8000 = 2x
    assert budget.saving(c8, uniform) == (pytest.approx(2.0), '=')
    # c16 ends at 0.51, above uniform's whole curve: at least 32k / 16k
    assert budget.saving(c16, uniform) == (pytest.approx(2.0), '>=')
    low = dict(c8, final=0.2)
    assert budget.saving(low, uniform) == (pytest.approx(1.0), '<=')


def test_the_t_interval_by_hand():
    uniform, closeness = curves()['uniform'], curves()['closeness']
    c8 = closeness[0]
    # c8: seeds 0.40, 0.42 -> var/n = 0.0002 / 2 = 1e-4; the uniform arm
    # nearest in accuracy, u16 (0.41): also 1e-4. SE = sqrt(2e-4);
    # Welch df = (2e-4)^2 / (1e-8 + 1e-8) = 2; half = t(0.95, 2) * SE =
    # 2.920 * 0.01414 = 0.0413
    half = student_t.ppf(0.95, 2) * np.sqrt(2e-4)
    assert half == pytest.approx(0.0413, abs=1e-4)
    # 0.41 -/+ 0.0413 = 0.3687 .. 0.4513 on uniform's curve:
    # 8k + (0.0587 / 0.10) * 8k = 12.70k; 16k + (0.0413 / 0.05) * 8k =
    # 22.61k; over 8k images
    low, high = budget.t_saving(c8, uniform)
    assert low == pytest.approx((8000 + (0.41 - half - 0.31) / 0.10 * 8000)
                                / 8000)
    assert high == pytest.approx((16000 + (0.41 + half - 0.41) / 0.05 * 8000)
                                 / 8000)
    one_seed = dict(c8, finals={0: 0.41})
    assert budget.t_saving(one_seed, uniform) is None


def test_the_bootstrap_interval_holds_the_value_and_is_seeded():
    uniform, closeness = curves()['uniform'], curves()['closeness']
    low, high = budget.bootstrap_saving(closeness[0], uniform)
    assert low <= 2.0 <= high
    assert (low, high) == budget.bootstrap_saving(closeness[0], uniform)
    # every resample of c8 is 0.40, 0.41 or 0.42; of u8/u16 alike: the
    # ratio stays between 14.4k / 8k and 17.6k / 8k ... within [1.5, 2.5]
    assert 1.5 < low and high < 2.5
    one_seed = dict(closeness[0], finals={0: 0.41})
    assert budget.bootstrap_saving(one_seed, uniform) is None
    assert budget.format_saving(one_seed, uniform) == \
        '2.00x (no interval: one seed)'


def test_the_plateau_reading_and_the_table():
    c = curves()
    assert budget.plateau_target(c['uniform']) == pytest.approx(0.45)
    assert budget.shortest_complete(c['closeness'], 0.45)['arm'] == 'c16'
    assert budget.shortest_complete(c['uniform'], 0.47)['arm'] == 'u24'
    text = budget.format_budget(c, 'uniform', METRIC, bootstrap=False)
    assert '| closeness | c8 | 8.0k | 0.410 ± 0.010 (2) | 1 | +0.100 | ' \
        '2.00x t [' in text
    assert '| closeness | c16 | 16.0k | 0.510 ± 0.010 (2) | 1 | +0.100 | ' \
        '>=2.00x' in text
    assert 'closeness c16' in text and 'uniform u24' in text


def test_paired_by_seed_by_hand():
    uniform = curves()['uniform']
    # seed 0 alone: 0.30, 0.40, 0.46, 0.44 -> the last two pool to 0.45;
    # seed 1 alone: 0.32, 0.42, 0.47, 0.47
    images, acc = budget.seed_curve(uniform, 0)
    np.testing.assert_allclose(acc, [0.30, 0.40, 0.45, 0.45])
    np.testing.assert_allclose(budget.seed_curve(uniform, 1)[1],
                               [0.32, 0.42, 0.47, 0.47])
    assert budget.seed_curve(uniform, 2) is None
    # at 12k seed 0's curve is 0.35, seed 1's 0.37; 0.37 on seed 0's curve
    # needs 8k + 0.7 x 8k = 13.6k, 0.35 on seed 1's 8k + 0.3 x 8k = 10.4k
    point = dict(arm='x', images=12000.0, finals={0: 0.37, 1: 0.35, 2: 0.5})
    by_seed = budget.paired(point, uniform)
    assert list(by_seed) == [0, 1]  # no uniform run of seed 2
    assert by_seed[0]['delta'] == pytest.approx(0.02)
    assert by_seed[1]['delta'] == pytest.approx(-0.02)
    assert by_seed[0]['saving'] == pytest.approx(13600 / 12000)
    assert by_seed[1]['saving'] == pytest.approx(10400 / 12000)
    # c16 seed 0 ends at 0.50, above seed 0's whole curve (0.45): a bound
    c16 = budget.paired(curves()['closeness'][1], uniform)[0]
    assert c16['delta'] == pytest.approx(0.10)
    assert (c16['saving'], c16['relation']) == (pytest.approx(2.0), '>=')
    beyond = budget.paired(dict(point, images=40000.0), uniform)
    assert beyond[0]['delta'] is None


def test_the_paired_t_interval_by_hand():
    # +0.02, -0.02: mean 0, sd 0.0283, SE 0.02, t(0.95, 1 df) = 6.314
    mean, low, high = budget.paired_t([0.02, -0.02])
    assert mean == pytest.approx(0.0, abs=1e-12)
    assert high == pytest.approx(6.3138 * 0.02, abs=1e-4)
    assert low == pytest.approx(-high)
    assert budget.paired_t([0.02]) is None
    text = budget.format_paired(curves(), 'uniform', FAMILIES)
    assert '| closeness | c8 | 8.0k | 0, 1 | +0.100, +0.100 | ' \
        '+0.100 [+0.100, +0.100] | 2.00x, 2.00x |' in text
    assert '| uniform |' not in text


def test_the_picture(tmp_path):
    study_tool.plots.plot_budget(curves(), METRIC, str(tmp_path / 'b.png'))
    assert (tmp_path / 'b.png').stat().st_size > 10000
