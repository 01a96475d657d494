# Do the methods reach the baseline's plateau sooner? The underwater study
# (underwater_r34eighth.py) stopped at 6 epochs, while its baseline was
# still rising (seed 0 flattens after about 11 epochs): the same
# runs trained to 16 epochs (2,560 iterations, validation every 160) for the
# baseline, the two methods that gained a validation step (LIS, threshold
# closeness) and UIS with unbiased weights (the arm that kept UIS at the
# baseline's level), three seeds each.
#
# The learning rate is constant, so each run continues its 6-epoch run of
# underwater_r34eighth.py (resumed from its epoch_6.pth: the first 960
# iterations are that study's). To seed the work dirs from that study:
#   for r in work_dirs/study_underwater_r34eighth/*_s[012]; do
#     d=work_dirs/study_underwater_r34eighth_long/$(basename $r)
#     [ -d $d ] || { cp -r $r $d && echo "$PWD/$d/epoch_6.pth" > $d/last_checkpoint; }
#   done
# Without them every run trains from scratch (2.7x the time).
#   python3 tools/analysis/study.py configs/studies/underwater_r34eighth_long.py --jobs 2 --threads 1
_base_ = './underwater_r34eighth.py'

name = 'underwater, ResNet34/8, 320x240, batch 16, 16 epochs'
methods = dict(
    _delete_=True,
    baseline='configs/thesis_detector/fcos_baseline_underwater.py',
    lis='configs/thesis_detector/fcos_lis_underwater.py',
    closeness='configs/thesis_detector/fcos_closeness_underwater.py',
    uis_unbiased='configs/thesis_detector/fcos_uis_unbiased_underwater.py')
work_dir = 'work_dirs/study_underwater_r34eighth_long'
out_dir = 'docs/underwater_study/long'
cfg_options = {'train_cfg.max_epochs': 16}
