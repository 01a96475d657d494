"""The study tool behind ``tools/analysis/study.py``, one concept a file:
the study config (:mod:`.config`), training its runs under signals
(:mod:`.runs`), the runs' curves (:mod:`.curves`), the budget curves of
complete schedules, the headline (:mod:`.budget`), time to accuracy
(:mod:`.tta`), the thesis' eq. 5.1 (:mod:`.speedup`, :mod:`.statistics`),
the pictures (:mod:`.plots`) and the report (:mod:`.report`). Its modules
import only each other: the scripts of ``tools/analysis`` import it as
the package beside them."""
from . import budget, plots, speedup, tta
from .config import (all_runs, curve_path, load_study, method_order,
                     method_seeds, method_spec, pending_runs, run_config,
                     run_name, set_resize_scale)
from .curves import (collect, final_value, images_processed, mean_curve,
                     points, read_curve, read_run, write_curve)
from .report import analyse, format_table
from .runs import (Children, Progress, StudyStopped, add_wall_segment,
                   open_wall_segment, resume_note, train_pending, train_run,
                   wall_segments)
from .statistics import (bootstrap_interval, run_peaks, speedup_value,
                         study_table)

__all__ = [
    'budget', 'plots', 'speedup', 'tta', 'all_runs', 'curve_path',
    'load_study', 'method_order', 'method_seeds', 'method_spec',
    'pending_runs', 'run_config', 'run_name', 'set_resize_scale', 'collect',
    'final_value', 'images_processed', 'mean_curve', 'points', 'read_curve',
    'read_run', 'write_curve', 'analyse', 'format_table', 'Children',
    'Progress', 'StudyStopped', 'add_wall_segment', 'open_wall_segment',
    'resume_note', 'train_pending', 'train_run', 'wall_segments',
    'bootstrap_interval', 'run_peaks', 'speedup_value', 'study_table'
]
