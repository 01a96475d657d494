"""The speed-up tool (eq. 5.1: study_tool/speedup.py, its command line
tools/analysis/speedup.py) on hand-written mmengine scalars.json files."""
import json

import pytest

from conftest import load_study_tool, load_tool

eq51 = load_study_tool().speedup
cli = load_tool('analysis/speedup.py')
mean_curve = load_study_tool().mean_curve


def write_run(root, name, curve, time_per_iter=1.0, every=100, batch=None,
              extra=None):
    """A work dir with train records every ``every`` iterations and the
    validation values ``curve`` {iteration: AP50}."""
    run_dir = root / name / '20260101_000000'
    (run_dir / 'vis_data').mkdir(parents=True)
    lines = []
    last = max(curve)
    for it in range(every, last + 1, every):
        lines.append(dict(loss=1.0, time=time_per_iter, epoch=1, iter=it,
                          step=it))
        if it in curve:
            rec = {'strat/AP50': curve[it], 'step': it}
            rec.update((extra or {}).get(it, {}))
            lines.append(rec)
    with open(run_dir / 'vis_data' / 'scalars.json', 'w') as f:
        f.write('\n'.join(json.dumps(r) for r in lines) + '\n')
    if batch is not None:
        (run_dir / 'cfg.py').write_text(
            f'train_dataloader = dict(batch_size={batch})\n')
    return str(root / name)


def test_speedup_eq_5_1_by_hand(tmp_path):
    # baseline runs peak (mean 0.30) at iteration 400; the method's mean
    # first exceeds 0.30 at iteration 200: speed-up = 400 / 200 - 1 = 100 %
    b1 = write_run(tmp_path, 'b1', {100: .1, 200: .2, 300: .25, 400: .32,
                                    500: .30}, batch=4)
    b2 = write_run(tmp_path, 'b2', {100: .1, 200: .2, 300: .27, 400: .28,
                                    500: .28}, batch=4)
    m1 = write_run(tmp_path, 'm1', {100: .2, 200: .31, 300: .33}, batch=4,
                   time_per_iter=1.5)
    m2 = write_run(tmp_path, 'm2', {100: .2, 200: .33, 300: .33}, batch=4,
                   time_per_iter=1.5)
    methods = cli.parse_runs([f'baseline={b1}', f'baseline={b2}',
                                  f'uis={m1}', f'uis={m2}'])
    table = eq51.speedups(methods, 'baseline', 'strat/AP50')
    uis = table['uis']
    assert (uis['it_base'], uis['it_method']) == (400, 200)
    assert uis['peak'] == pytest.approx(0.30)
    assert uis['speedup'] == pytest.approx(1.0)
    # wall clock: 400 s for the baseline vs 200 x 1.5 = 300 s: +33 %
    assert uis['speedup_time'] == pytest.approx(400 / 300 - 1)
    # same batch: images seen give the same speed-up as iterations
    assert uis['speedup_images'] == pytest.approx(1.0)
    assert 'uis' in eq51.format_speedups(table, 'strat/AP50')


def test_never_passing_method_is_reported(tmp_path):
    b = write_run(tmp_path, 'b', {100: .1, 200: .4})
    m = write_run(tmp_path, 'm', {100: .2, 200: .3})
    methods = cli.parse_runs([f'baseline={b}', f'lis={m}'])
    res = eq51.speedups(methods, 'baseline', 'strat/AP50')['lis']
    assert res['it_method'] is None and res['speedup'] is None
    assert 'never exceeds the baseline peak 0.4000' in res['note']


def test_runs_of_different_lengths_and_missing_validations(tmp_path):
    # run m2 stops early and misses iteration 200's validation; at 300 only
    # m1 has a value, which is reported in the note
    b = write_run(tmp_path, 'b', {100: .1, 200: .2, 300: .3})
    m1 = write_run(tmp_path, 'm1', {100: .1, 200: .2, 300: .35})
    m2 = write_run(tmp_path, 'm2', {100: .1})
    empty = tmp_path / 'empty'
    empty.mkdir()
    methods = cli.parse_runs([f'baseline={b}', f'uis={m1}',
                                  f'uis={m2}', f'uis={empty}'])
    assert len(methods['uis']) == 2
    curve = mean_curve(methods['uis'], 'strat/AP50')
    assert curve['steps'].tolist() == [100, 200, 300]
    assert curve['count'].tolist() == [2, 1, 1]
    res = eq51.speedups(methods, 'baseline', 'strat/AP50')['uis']
    assert res['it_method'] == 300 and res['speedup'] == pytest.approx(0.0)
    assert 'mean of 1 of 2 runs' in res['note']


def test_unknown_baseline_is_a_clear_error(tmp_path):
    b = write_run(tmp_path, 'b', {100: .1})
    with pytest.raises(KeyError, match='baseline method'):
        eq51.speedups(cli.parse_runs([f'base={b}']), 'baseline',
                         'strat/AP50')


def test_main_writes_table_and_plots(tmp_path, monkeypatch, capsys):
    extra = {it: {'strat/AP50_small': .1 * k, 'strat/AP50_medium': .2,
                  'strat/AP50_large': .3, 'strat/AP50_Car_small': .1,
                  'strat/AP50_Car_medium': .2, 'strat/AP50_Car_large': .3}
             for k, it in enumerate((100, 200), 1)}
    b = write_run(tmp_path, 'b', {100: .1, 200: .3}, extra=extra)
    m = write_run(tmp_path, 'm', {100: .35, 200: .4}, extra=extra)
    out = tmp_path / 'out'
    monkeypatch.setattr('sys.argv', [
        'speedup.py', '--run', f'baseline={b}', '--run', f'uis={m}',
        '--out-dir', str(out)])
    cli.main()
    assert '+100%' in capsys.readouterr().out  # 200 / 100 - 1
    for png in ('speedup.png', 'speedup_by_size.png',
                'speedup_by_class_size.png'):
        assert (out / png).stat().st_size > 1000
    assert (out / 'speedup.txt').exists()
