# Where does the baseline of configs/studies/underwater_r34eighth.py
# flatten? The same baseline run (seed 0) trained for 16 epochs instead of 6
# (constant learning rate, so its first 6 epochs are the study's run):
#   python3 tools/analysis/study.py configs/studies/underwater_r34eighth_baseline_long.py
_base_ = './underwater_r34eighth.py'

name = 'underwater, ResNet34/8, 320x240, batch 16: baseline for 16 epochs'
methods = dict(_delete_=True, baseline='configs/fcos_baseline_underwater.py')
seeds = [0]
work_dir = 'work_dirs/study_underwater_r34eighth_long'
out_dir = 'docs/underwater_study/baseline_long'
cfg_options = {'train_cfg.max_epochs': 16}
