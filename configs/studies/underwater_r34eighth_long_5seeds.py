# Five seeds instead of three for the 16-epoch study's baseline and its two
# methods that reached the baseline's plateau (underwater_r34eighth_long.py:
# closeness +15 %, LIS +0 % on strat/AP50 with three seeds, bootstrap
# intervals [-12 %, +25 %] and [-100 %, +15 %]). Seeds 0-2 are that study's
# runs: copy their curves in first, and only seeds 3 and 4 train (from
# scratch, 2,560 iterations; seeds 0-2 had resumed their 6-epoch runs, same
# constant learning rate):
#   mkdir -p docs/underwater_study/long_5seeds/curves
#   for m in baseline lis closeness; do for s in 0 1 2; do
#     cp docs/underwater_study/long/curves/${m}_s$s.json \
#        docs/underwater_study/long_5seeds/curves/; done; done
#   python3 tools/analysis/study.py configs/studies/underwater_r34eighth_long_5seeds.py --jobs 2 --threads 1
_base_ = './underwater_r34eighth_long.py'

name = 'underwater, ResNet34/8, 320x240, batch 16, 16 epochs, 5 seeds'
methods = dict(
    _delete_=True,
    baseline='configs/thesis_detector/fcos_baseline_underwater.py',
    lis='configs/thesis_detector/fcos_lis_underwater.py',
    closeness='configs/thesis_detector/fcos_closeness_underwater.py')
seeds = [0, 1, 2, 3, 4]
out_dir = 'docs/underwater_study/long_5seeds'
