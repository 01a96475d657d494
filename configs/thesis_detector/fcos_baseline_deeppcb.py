# Uniform sampling (a fresh permutation each epoch) on the DeepPCB defect
# images: the thesis detector (half-width ResNet34, DLA neck, softmax head),
# batch 128, Adam 1e-3 with one epoch of warm-up and cosine decay. Full
# scale, for a GPU:
#   python3 tools/train.py configs/thesis_detector/fcos_baseline_deeppcb.py
# The CPU study trains these configs at the reduced scale of
# configs/studies/deeppcb_tta.py.
_base_ = [
    '../_base_/models/fcos_dla_r34half.py', '../_base_/datasets/deeppcb.py',
    '../_base_/schedules/adam_cosine.py', '../_base_/default_runtime.py'
]

# a low threshold gives the full precision-recall curve that AP needs
model = dict(bbox_head=dict(num_classes=6), test_cfg=dict(score_thr=0.05))
