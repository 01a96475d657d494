"""The study tool behind ``tools/analysis/study.py``, one concept a file:
the study config (:mod:`.config`), training its runs under signals
(:mod:`.runs`), the curve files (:mod:`.curves`), the statistics
(:mod:`.statistics`), the budget curves of complete schedules
(:mod:`.budget`) and the report (:mod:`.report`). Needs
``tools/analysis`` on ``sys.path`` (``speedup.py`` and ``tta.py``), as
``study.py`` puts it."""
from . import budget
from .config import (all_runs, curve_path, load_study, method_order,
                     method_seeds, method_spec, pending_runs, run_config,
                     run_name, set_resize_scale)
from .curves import collect, read_curve, write_curve
from .report import analyse, format_table
from .runs import (Children, Progress, StudyStopped, add_wall_segment,
                   open_wall_segment, resume_note,
                   train_pending, train_run, wall_segments)
from .statistics import (bootstrap_interval, run_peaks, speedup_value,
                         study_table)

__all__ = [
    'budget', 'all_runs', 'curve_path', 'load_study', 'method_order', 'method_seeds',
    'method_spec', 'pending_runs', 'run_config', 'run_name',
    'set_resize_scale', 'collect', 'read_curve', 'write_curve', 'analyse',
    'format_table', 'Children', 'Progress', 'StudyStopped',
    'add_wall_segment', 'open_wall_segment',
    'resume_note', 'train_pending', 'train_run',
    'wall_segments', 'bootstrap_interval', 'run_peaks', 'speedup_value',
    'study_table'
]
