"""When it is safe to fork a worker process (the engine's second CPU, the live collectors)."""

from __future__ import annotations

import os
import sys
import threading


def usable_cpus() -> int:
    """CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def can_fork() -> bool:
    """Fork without exec only on Linux, with more than one CPU, and while no other thread runs.

    A thread may hold a lock at the moment of the fork, which the child would then wait on
    forever; on macOS, system frameworks (urllib's proxy lookup) may crash a forked child that
    did not exec.
    """
    return (
        hasattr(os, "fork")
        and sys.platform.startswith("linux")
        and usable_cpus() >= 2
        and threading.active_count() == 1
    )
