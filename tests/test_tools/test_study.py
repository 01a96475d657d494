"""The study tool on hand-written curve files, and one real smoke run."""
import json
import os
import os.path as osp

import pytest

from conftest import REPO_ROOT, load_study_tool, load_tool

study_tool = load_study_tool()
study_cli = load_tool('analysis/study.py')


def write_study(tmp_path, methods, seeds, extra=''):
    cfgs = {m: osp.join(REPO_ROOT, c) for m, c in methods.items()}
    path = tmp_path / 'study.py'
    path.write_text(
        f'methods = {cfgs!r}\nbaseline = {list(methods)[0]!r}\n'
        f'seeds = {seeds!r}\nwork_dir = {str(tmp_path / "work")!r}\n'
        f'out_dir = {str(tmp_path / "out")!r}\n' + extra)
    return str(path)


def write_curve_file(study, method, seed, curve, batch=4, time_per_iter=1.0,
                     every=100):
    """A curve file as the tool writes it: train records every ``every``
    iterations, ``strat/AP50`` values ``curve`` {iteration: value}."""
    scalars = []
    for it in range(every, max(curve) + 1, every):
        scalars.append(dict(loss=1.0, time=time_per_iter, step=it))
        if it in curve:
            scalars.append({'strat/AP50': curve[it], 'step': it})
    path = study_tool.curve_path(study, method, seed)
    import os
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        json.dump(dict(method=method, seed=seed, batch=batch, wall_s=60.0 *
                       (seed + 1), scalars=scalars), f)


BASE = 'configs/thesis_detector/fcos_baseline_kitti_tiny.py'
UIS = 'configs/thesis_detector/fcos_uis_kitti_tiny.py'
LIS = 'configs/thesis_detector/fcos_lis_kitti_tiny.py'
TIERS = 'configs/thesis_detector/fcos_tiers_kitti_tiny.py'


@pytest.fixture
def study(tmp_path):
    path = write_study(tmp_path, dict(baseline=BASE, uis=UIS, lis=LIS),
                       [0, 1, 2])
    st = study_tool.load_study(path)
    # baseline: each seed peaks at 400; mean curve 0.1, 0.2, 0.3, 0.31, 0.30
    for seed, peak in enumerate([0.30, 0.31, 0.32]):
        write_curve_file(st, 'baseline', seed,
                         {100: .1, 200: .2, 300: .3, 400: peak, 500: .30})
    # uis: above 0.32 already at 200 in every seed -> 400 / 200 - 1 = +100 %
    for seed in range(3):
        write_curve_file(st, 'uis', seed,
                         {100: .2, 200: .4 + .01 * seed, 300: .4, 400: .4,
                          500: .4}, time_per_iter=2.0)
    # lis: never above 0.29 (seeds 0 and 1 only: seed 2 is still missing)
    for seed in range(2):
        write_curve_file(st, 'lis', seed,
                         {100: .1, 200: .2, 300: .25, 400: .29, 500: .28})
    return st, path


def test_pending_runs_skip_finished_ones(study):
    st, _ = study
    assert study_tool.pending_runs(st) == [('lis', 2)]


def test_main_trains_only_missing_runs(study, monkeypatch):
    st, path = study
    calls = []
    monkeypatch.setattr(study_tool.runs, 'train_run',
                        lambda study, m, s, threads=None, **kw:
                        calls.append((m, s)))
    study_cli.main([path, '--no-bootstrap'])
    assert calls == [('lis', 2)]
    text = open(osp.join(st.out_dir, 'study.md')).read()
    assert 'lis [0, 1]' in text and 'uis [0, 1, 2]' in text
    for png in ('speedup_by_size.png', ):
        assert osp.isfile(osp.join(st.out_dir, png))


def table_rows(st, bootstrap):
    """The study table of ``strat/AP50`` by method."""
    return {r['method']: r for r in study_tool.study_table(
        study_tool.collect(st), 'baseline', 'strat/AP50', bootstrap)}


def test_seeds_averaged_and_eq_5_1(study):
    rows = table_rows(study[0], bootstrap=False)
    base = rows['baseline']
    # peaks of the three seeds 0.30, 0.31, 0.32: mean 0.31, std sqrt(2/3)/100
    assert base['peak_mean'] == pytest.approx(0.31)
    assert base['peak_std'] == pytest.approx((2 / 3)**0.5 / 100)
    assert base['it_base'] == 400
    uis = rows['uis']
    assert (uis['it_method'], uis['speedup']) == (200, pytest.approx(1.0))
    # wall clock: baseline 400 x 1 s, uis 200 x 2 s: no gain
    assert uis['speedup_time'] == pytest.approx(0.0)
    # each uis seed against the baseline run of its seed: seed 0's peaks
    # first at 300 (0.30), seeds 1 and 2 at 400; uis crosses at 200
    assert uis['per_seed'] == [pytest.approx(0.5), pytest.approx(1.0),
                               pytest.approx(1.0)]
    # uis final 0.40 in every seed
    assert uis['final_mean'] == pytest.approx(0.40)


def test_method_that_never_crosses(study):
    rows = table_rows(study[0], bootstrap=True)
    lis = rows['lis']
    assert lis['runs'] == 2 and lis['it_method'] is None
    assert lis['speedup'] is None and 'never' in lis['note']
    assert lis['per_seed'] == [None, None]
    assert (lis['ci_low'], lis['ci_high'], lis['share_crossing']) == (
        -1.0, -1.0, 0.0)
    uis = rows['uis']
    assert (uis['ci_low'], uis['ci_high'], uis['share_crossing']) == (
        pytest.approx(1.0), pytest.approx(1.0), 1.0)
    text = study_tool.format_table(list(rows.values()), 'strat/AP50')
    assert '| lis | 2 |' in text and '| never |' in text
    assert '| never, never |' in text and '| +50 %, +100 %, +100 % |' in text
    assert '[+100 %, +100 %]' in text


def test_bootstrap_interval_against_all_resamples(tmp_path):
    # baseline seeds peak at 200 with 0.2 / 0.3: the peak of a resampled
    # mean curve is 0.2, 0.25 or 0.3. The method's two seeds are 0.26 and
    # 0.35 at iteration 100, then 0.4. Enumerating the 3 x 3 equally likely
    # multiset pairs (weights 1/4, 1/2, 1/4 each side):
    # method mean at 100 = 0.26 (1/4), 0.305 (1/2), 0.35 (1/4)
    # crosses at 100 (+100 %) unless (base 0.3, method 0.26): then at 200
    # (+0 %) -- probability 1/4 x 1/4 = 1/16.
    st = study_tool.load_study(write_study(
        tmp_path, dict(baseline=BASE, m=UIS), [0, 1]))
    write_curve_file(st, 'baseline', 0, {100: .1, 200: .2, 300: .15})
    write_curve_file(st, 'baseline', 1, {100: .1, 200: .3, 300: .25})
    write_curve_file(st, 'm', 0, {100: .26, 200: .4, 300: .4})
    write_curve_file(st, 'm', 1, {100: .35, 200: .4, 300: .4})
    methods = study_tool.collect(st)
    lo, hi, share = study_tool.bootstrap_interval(
        methods['baseline'], methods['m'], 'strat/AP50', confidence=0.8,
        n_resamples=4000)
    assert share == 1.0
    # 10 % quantile of {0 w.p. 1/16, +100 % w.p. 15/16} is +100 %
    assert (lo, hi) == (pytest.approx(1.0), pytest.approx(1.0))
    lo, hi, _ = study_tool.bootstrap_interval(
        methods['baseline'], methods['m'], 'strat/AP50', confidence=0.95,
        n_resamples=4000)
    assert (lo, hi) == (pytest.approx(0.0), pytest.approx(1.0))


def test_write_curve_merges_a_resumed_run(tmp_path):
    work = tmp_path / 'run'
    for stamp, lines in (
            ('20260101_000000', [dict(loss=2.0, time=1.0, step=10),
                                 {'strat/AP50': 0.1, 'step': 20},
                                 dict(loss=1.5, time=1.0, step=20)]),
            ('20260101_010000', [dict(loss=1.0, time=3.0, step=30),
                                 {'strat/AP50': 0.2, 'step': 40},
                                 dict(loss=0.9, time=3.0, step=40,
                                      lr=1e-3)])):
        (work / stamp / 'vis_data').mkdir(parents=True)
        (work / stamp / 'vis_data' / 'scalars.json').write_text(
            '\n'.join(json.dumps(r) for r in lines) + '\n')
    out = str(tmp_path / 'c.json')
    study_tool.write_curve(str(work), out, dict(method='m', seed=0, batch=2))
    run = study_tool.read_curve(out)
    assert run['val'] == {'strat/AP50': {20: 0.1, 40: 0.2}}
    # clock: 10 x 1 + 10 x 1 + 10 x 3 + 10 x 3 seconds
    assert run['time'] == {10: 10.0, 20: 20.0, 30: 50.0, 40: 80.0}
    assert run['batch'] == 2 and 'lr' not in json.dumps(json.load(open(out)))


def test_bad_study_config_is_named(tmp_path):
    path = write_study(tmp_path, dict(baseline=BASE), [0],
                       extra="baseline = 'uniform'\n")
    with pytest.raises(KeyError, match='study.py: baseline'):
        study_tool.load_study(path)
    path = write_study(tmp_path, dict(baseline='configs/nope.py'), [0])
    with pytest.raises(FileNotFoundError, match='methods.baseline'):
        study_tool.load_study(path)


def test_smoke_one_method_one_seed_on_kitti(tmp_path):
    """The tiers rule, seed 3, keep_ratio 0.5 of 8 real KITTI frames at
    batch 4: 1 iteration (4 images) an epoch, 2 epochs, validated after
    each; the curve records the images processed."""
    options = {
        'train_dataloader.dataset.indices': 8,
        'train_dataloader.num_workers': 0,
        'train_dataloader.persistent_workers': False,
        'train_dataloader.sampler.policy.keep_ratio': 0.5,
        'val_dataloader.dataset.indices': 4,
        'val_dataloader.num_workers': 0,
        'val_dataloader.persistent_workers': False,
        'train_cfg.max_epochs': 2,
        'train_cfg.val_interval': 1,
        'default_hooks.logger.interval': 1,
        'data_root': osp.join(REPO_ROOT, 'data/kitti_tiny/'),
        'train_dataloader.dataset.data_root':
        osp.join(REPO_ROOT, 'data/kitti_tiny/'),
        'val_dataloader.dataset.data_root':
        osp.join(REPO_ROOT, 'data/kitti_tiny/'),
    }
    path = write_study(tmp_path, dict(tiers=TIERS), [3],
                       extra=f'cfg_options = {options!r}\n'
                       'img_scale = (320, 96)\n')
    study_cli.main([path, '--threads', '2'])
    st = study_tool.load_study(path)
    run = study_tool.read_curve(study_tool.curve_path(st, 'tiers', 3))
    assert sorted(run['val']['strat/AP50']) == [1, 2]
    assert run['val']['images_processed'] == {1: 4, 2: 8}
    assert 0 < run['val']['train_wall_s'][1] < run['val']['train_wall_s'][2]
    assert run['seed'] == 3 and run['batch'] == 4 and run['wall_s'] > 0
    dumped = open(osp.join(st.work_dir, 'tiers_s3', 'study_config.py')).read()
    assert 'seed=3' in dumped and "type='tiers'" in dumped
    assert osp.isfile(osp.join(st.out_dir, 'study.md'))
    assert osp.isfile(osp.join(st.out_dir, 'tta_by_size.png'))
    # the finished run is skipped the second time
    assert study_tool.pending_runs(st) == []


def test_cfg_options_with_delete_reach_every_run(tmp_path):
    """mmengine pops _delete_ while merging: every run gets its own copy."""
    options = {'train_cfg': dict(_delete_=True, type='IterBasedTrainLoop',
                                 max_iters=7, val_interval=7)}
    st = study_tool.load_study(write_study(
        tmp_path, dict(baseline=BASE), [0, 1],
        extra=f'cfg_options = {options!r}\n'))
    for seed in (0, 1):
        cfg = study_tool.run_config(st, 'baseline', seed)
        assert cfg.train_cfg == dict(type='IterBasedTrainLoop', max_iters=7,
                                     val_interval=7)


def test_a_run_whose_config_fails_is_named(tmp_path):
    bad = tmp_path / 'bad.py'
    bad.write_text("_base_ = './missing_base.py'\n")
    st = study_tool.load_study(write_study(tmp_path, dict(baseline=BASE),
                                           [0]))
    st.methods['broken'] = str(bad)
    with pytest.raises(RuntimeError, match='broken_s2: its config could not '
                       'be built'):
        study_tool.train_run(st, 'broken', 2)


def test_wall_time_adds_up_the_segments_of_a_resumed_run(tmp_path):
    study_tool.open_wall_segment(str(tmp_path), 1000.0)
    study_tool.add_wall_segment(str(tmp_path), 60.04)
    study_tool.open_wall_segment(str(tmp_path), 2000.0)
    study_tool.add_wall_segment(str(tmp_path), 30.0)
    assert study_tool.wall_segments(str(tmp_path)) == [60.0, 30.0]


def test_a_segment_killed_without_closing_ends_at_its_last_log_write(
        tmp_path):
    # a study killed by SIGKILL 50 s into a run's second segment: that
    # segment ends when train.log was last written (t = 1050)
    study_tool.open_wall_segment(str(tmp_path), 0.0)
    study_tool.add_wall_segment(str(tmp_path), 60.0)
    study_tool.open_wall_segment(str(tmp_path), 1000.0)
    log_file = tmp_path / 'train.log'
    log_file.write_text('epoch 3\n')
    os.utime(log_file, (1050.0, 1050.0))
    study_tool.open_wall_segment(str(tmp_path), 5000.0)
    study_tool.add_wall_segment(str(tmp_path), 20.0)
    assert study_tool.wall_segments(str(tmp_path)) == [60.0, 50.0, 20.0]


# a run that starts its own child (a loader worker, which shares its
# output), says so and sleeps
SLEEPER = ('import subprocess, sys, time; '
           'subprocess.Popen([sys.executable, "-c", '
           '"import time; time.sleep(60)"]); '
           'print("ready", flush=True); time.sleep(60)')


def test_one_signal_stops_every_run_and_starts_no_new_one(tmp_path,
                                                          monkeypatch,
                                                          capsys):
    """Two runs at a time, three in all; each starts a process that starts
    its own child. The study's SIGINT handler, called once both runs are
    ready: both processes and their children end, the third run never
    starts, exit 130. Each run's log is a FIFO the test reads: its "ready"
    line says the run is up, its end of file that the process and its
    child (which share it) are gone. No signal reaches pytest's own
    process and nothing polls."""
    import os
    import signal
    import sys
    import threading
    st = study_tool.load_study(write_study(tmp_path, dict(baseline=BASE),
                                           [0, 1, 2]))
    logs = [str(tmp_path / f'log{s}') for s in (0, 1, 2)]
    for log in logs[:2]:
        os.mkfifo(log)

    def fake_train_run(study, m, s, threads=None, children=None,
                       progress=None):
        rc = children.run([sys.executable, '-c', SLEEPER], logs[s],
                          dict(os.environ))
        raise RuntimeError(f'run {s} ended with {rc}')

    monkeypatch.setattr(study_tool.runs, 'train_run', fake_train_run)
    said = {log: [] for log in logs[:2]}

    def read(log, ready):
        with open(log) as f:  # until every writer has closed it
            for line in f:
                said[log].append(line.strip())
                ready.release()

    ready = threading.Semaphore(0)
    readers = [threading.Thread(target=read, args=(log, ready), daemon=True)
               for log in logs[:2]]
    for r in readers:
        r.start()

    def interrupt():
        for _ in readers:
            ready.acquire()
        signal.getsignal(signal.SIGINT)(signal.SIGINT, None)

    threading.Thread(target=interrupt, daemon=True).start()
    assert study_tool.train_pending(st, jobs=2) == 130
    for r in readers:  # end of file: the run and its child are gone
        r.join(timeout=60)
        assert not r.is_alive(), 'a run or its child still holds its log'
    assert all(lines == ['ready'] for lines in said.values())
    assert not os.path.exists(logs[2])  # the third run never started
    out = capsys.readouterr().out
    # neither run wrote a checkpoint: the message says they start again
    for s in (0, 1):
        assert (f'[study] baseline_s{s} starts again from its first '
                'iteration (no checkpoint saved)') in out


def test_img_scale_reaches_every_resize_whatever_its_index(tmp_path):
    """The underwater configs: Resize at index 2 of the training pipeline,
    at index 1 of the two validation sets' (inside a ConcatDataset)."""
    st = study_tool.load_study(write_study(
        tmp_path, dict(baseline='configs/thesis_detector/fcos_baseline_underwater.py'), [0],
        extra='img_scale = (160, 120)\n'))
    cfg = study_tool.run_config(st, 'baseline', 0)
    resizes = [t for t in cfg.train_dataloader.dataset.pipeline
               if t.type == 'Resize']
    for ds in cfg.val_dataloader.dataset.datasets:
        resizes += [t for t in ds.pipeline if t.type == 'Resize']
    assert len(resizes) == 3 and all(t.scale == (160, 120) for t in resizes)


def test_the_interrupt_message_names_the_checkpoint_or_a_new_start(
        tmp_path):
    """A run interrupted while it wrote its first checkpoint has no
    last_checkpoint (mmengine writes it after the checkpoint) and starts
    again; one with a checkpoint resumes from it; a last_checkpoint that
    names a missing file is no resume point."""
    work = tmp_path / 'run'
    work.mkdir()
    (work / 'epoch_1.pth.part').write_bytes(b'half')  # the write cut short
    assert study_tool.resume_note(str(work)) == (
        'starts again from its first iteration (no checkpoint saved)')
    (work / 'epoch_1.pth').write_bytes(b'x')
    (work / 'last_checkpoint').write_text(str(work / 'epoch_1.pth'))
    assert study_tool.resume_note(str(work)) == \
        f'resumes from {work / "epoch_1.pth"}'
    (work / 'epoch_1.pth').unlink()
    assert study_tool.resume_note(str(work)).startswith('starts again')
