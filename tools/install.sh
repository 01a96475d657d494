#!/usr/bin/env bash
# Installs everything mmdet_is needs into the current Python environment.
# Safe to run again: every step is skipped when it is already satisfied.
# Why each step is as it is: docs/guide/01_getting_started.md, "Install".
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}

# torch: a range that takes the local CPU build here and the user's own build
# elsewhere. Pinning 2.13.0 when nothing is installed avoids a multi-GB CUDA wheel.
if ! "$PY" -c "import torch" 2>/dev/null; then
  "$PY" -m pip install "torch==2.13.0"
fi
"$PY" -m pip install "setuptools>=77.0.3,<82" wheel ninja "numpy" "pycocotools>=2.0.8" \
  "mmengine==0.10.7" "matplotlib" "tensorboard" "opencv-python-headless" "scipy" "tqdm"
# The ZOD devkit (the optional extra mmdet_is[zod]; the tests use it); zod
# 0.8.0 imports dataclass_wizard.JSONSerializable, which
# dataclass-wizard 1.0 removed.
"$PY" -m pip install "zod==0.8.0" "dataclass-wizard<1"

# mmcv 2.1.0 with its compiled ops; PyPI has only the source, built against the
# installed torch (no build isolation, or the ops are silently left out).
if ! "$PY" -c "import mmcv, mmcv.ops; assert mmcv.__version__ == '2.1.0'" 2>/dev/null; then
  MMCV_WITH_OPS=1 MAX_JOBS=${MAX_JOBS:-2} "$PY" -m pip install --no-build-isolation "mmcv==2.1.0"
fi
"$PY" -m pip install "mmdet==3.3.0"
# openmim pins old setuptools/requests through its dependency chain: install it bare.
"$PY" -m pip install --no-deps "openmim==0.3.9"
"$PY" -m pip install click colorama model-index pandas requests rich tabulate
"$PY" -m pip install --no-build-isolation --no-deps -e .
"$PY" -c "import mmcv.ops, mmdet, mmdet_is; print('mmdet_is install OK: mmcv', mmcv.__version__, 'mmdet', mmdet.__version__)"
