# The request's own command, from the repository root:
#   mim train mmdet configs/fcos_uis_zodfar.py
# UIS importance sampling (thesis eq. 4.5, object-wise mean) on ZODFAR with
# the thesis detector and hyperparameters: configs/zod/fcos_uis_zodfar.py,
# where the other ZODFAR configs live (configs/zod/README.md). The data
# under data/zodfar/ (docs/guide/06_zod.md).
_base_ = './zod/fcos_uis_zodfar.py'
