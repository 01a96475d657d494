"""Budget curves of the study tool: points per complete schedule, the
shortest complete schedule to a target, the saving against uniform's curve
(interpolated) with its bootstrap, worked by hand on made-up runs."""
import pytest

from conftest import load_study_tool

budget = load_study_tool().budget
METRIC = 'strat/AP50'


def run(images, final, seed, wall=60.0):
    """A run validated at its middle and its end."""
    return dict(seed=seed, wall_s=wall,
                val={METRIC: {1: final / 2, 2: final},
                     'images_processed': {1: images // 2, 2: images}})


def arm(images, finals):
    return [run(images, f, s) for s, f in enumerate(finals)]


METHODS = dict(u8=arm(8000, [0.30, 0.32]), u16=arm(16000, [0.40, 0.42]),
               u32=arm(32000, [0.44, 0.46]), c8=arm(8000, [0.40, 0.42]),
               c16=arm(16000, [0.45, 0.47]))
FAMILIES = dict(uniform=['u32', 'u8', 'u16'], closeness=['c8', 'c16'])


def test_points_are_the_complete_schedules_fewest_images_first():
    curves = budget.schedule_points(METHODS, FAMILIES, METRIC)
    assert [p['arm'] for p in curves['uniform']] == ['u8', 'u16', 'u32']
    u16 = curves['uniform'][1]
    assert u16['images'] == 16000 and u16['final'] == pytest.approx(0.41)
    assert u16['final_std'] == pytest.approx(0.01)  # (0.40, 0.42)
    assert u16['finals'] == {0: 0.40, 1: 0.42} and u16['wall_s'] == 60.0


def test_shortest_complete_schedule_and_saving_by_hand():
    curves = budget.schedule_points(METHODS, FAMILIES, METRIC)
    uniform, closeness = curves['uniform'], curves['closeness']
    # target 0.45, uniform's plateau: uniform reaches it only at 32k;
    # closeness first at c16 (mean 0.46), 16k: 32k / 16k = 2x
    assert budget.shortest_complete(closeness, 0.45)['arm'] == 'c16'
    assert budget.images_to_reach(uniform, 0.45, True) == pytest.approx(
        32000)
    assert budget.reference_target(uniform) == pytest.approx(0.45)
    assert budget.budget_saving(closeness, uniform)['saving'] == \
        pytest.approx(2.0)
    # target 0.43: uniform's curve crosses half-way from u16 (0.41) to
    # u32 (0.45), at 24k; closeness at c16: 24k / 16k = 1.5x
    assert budget.images_to_reach(uniform, 0.43, True) == pytest.approx(
        24000)
    assert budget.images_to_reach(uniform, 0.43, False) == 32000
    # the bootstrap recomputes the target from each resampled reference:
    # u32's mean is 0.44, 0.45 or 0.46 (1/4, 1/2, 1/4) and c16's 0.45,
    # 0.46 or 0.47, so c16 falls short only when u32 draws 0.46 twice and
    # c16 0.45 twice, or ties at 0.45 round below (up to 1/16 + 1/4)
    res = budget.budget_saving(closeness, uniform)
    assert res['low'] <= 2.0 <= res['high']
    assert 0.65 < res['share_reaching'] < 1
    # a family that never reaches the reference's accuracy
    slow = budget.schedule_points(dict(s8=arm(8000, [0.1, 0.2])),
                                  dict(slow=['s8']), METRIC)['slow']
    assert budget.shortest_complete(slow, 0.45) is None
    assert budget.budget_saving(slow, uniform)['saving'] is None
    # against the short uniform curve (u8, u16: target 0.41 at 16k),
    # closeness reaches 0.41 already at c8: 16k / 8k = 2x
    short = curves['uniform'][:2]
    assert budget.budget_saving(closeness, short)['saving'] == \
        pytest.approx(2.0)


def test_the_table_and_the_plot(tmp_path):
    curves = budget.schedule_points(METHODS, FAMILIES, METRIC)
    text = budget.format_budget(curves, 'uniform', METRIC)
    assert '| closeness | c8 8.0k, 0.410 ± 0.010, 1 min; c16 16.0k, ' \
        '0.460 ± 0.010, 1 min | c16 | 2.00x [' in text
    assert '| uniform |' in text and '| u32 | -' in text
    budget.plot_budget(curves, 0.45, METRIC, str(tmp_path / 'budget.png'))
    assert (tmp_path / 'budget.png').stat().st_size > 10000
