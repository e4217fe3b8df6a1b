"""Priority for a benchmark's session (``--session-nice``), shared by the scaling benchmarks.

Linux schedules by autogroup (``/proc/sys/kernel/sched_autogroup_enabled``): the cores are shared
between sessions before processes, so on a shared machine another session's load takes the second
core from a 2-worker run however many processes it starts. Plain ``nice`` does not change that;
the session's autogroup nice does.
"""

from __future__ import annotations

from pathlib import Path


def set_session_nice(nice: int) -> None:
    """Give this session's autogroup the ``nice`` value (Linux; a negative one needs root)."""
    path = Path("/proc/self/autogroup")
    if not path.exists():
        raise SystemExit("--session-nice: no /proc/self/autogroup (not Linux, or no autogroups)")
    try:
        path.write_text(str(nice))
    except OSError as exc:
        raise SystemExit(f"--session-nice {nice}: {exc}") from exc
