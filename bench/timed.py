"""Run one management command timed (wall and CPU) and, when asked, under cProfile.

Shared by the intake benchmarks (bench/intake_bibtex.py, bench/intake_notes.py).
"""

import cProfile
import os
import pstats
import time
from io import StringIO


def run_timed(command, *args, profile=False):
    """``(last line of the command's output, wall seconds, CPU seconds)``.

    With ``profile`` the top ``TOP`` (35) functions, sorted by ``SORT`` (cumulative), are
    printed after the run.
    """
    from django.core.management import call_command

    out = StringIO()
    profiler = cProfile.Profile() if profile else None
    started, cpu_started = time.perf_counter(), time.process_time()
    if profiler:
        profiler.enable()
    call_command(command, *args, stdout=out)
    if profiler:
        profiler.disable()
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    if profiler:
        stats = pstats.Stats(profiler).sort_stats(os.environ.get("SORT", "cumulative"))
        stats.print_stats(int(os.environ.get("TOP", "35")))
    return out.getvalue().strip().splitlines()[-1], elapsed, cpu
