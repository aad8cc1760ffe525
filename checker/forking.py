"""When it is safe to fork a worker process (the engine's second CPU, the live collectors)."""

from __future__ import annotations

import os
import pickle
import sys
import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


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


def map_in_two(items: Sequence[T], work: Callable[[T], R], minimum: int = 8) -> list[R]:
    """``[work(item) for item in items]``, the second half in a forked child when forking is
    safe and there are at least ``minimum`` items (CPU-bound work such as parsing root modules).

    The child sends its results pickled; if it fails in any way (an error in the work, a result
    that does not pickle, a crash), its half is done here, so the answer and the first error
    raised are those of the plain loop.
    """
    if len(items) < minimum or not can_fork():
        return [work(item) for item in items]
    half = len(items) // 2
    mine, theirs = items[:half], items[half:]
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into the caller's code
        os.close(read_end)
        status = 1
        try:
            payload = pickle.dumps([work(item) for item in theirs], pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(payload)
            status = 0
        except BaseException:  # noqa: S110 - the parent redoes this half and reports the error
            pass
        finally:
            os._exit(status)
    os.close(write_end)
    try:
        done = [work(item) for item in mine]
    except BaseException:
        _reap(pid, read_end)
        raise
    with os.fdopen(read_end, "rb") as pipe:
        payload = pipe.read()
    _, status = os.waitpid(pid, 0)
    if status == 0 and payload:
        try:
            return done + list(pickle.loads(payload))  # noqa: S301 - our own forked child
        except Exception:  # noqa: S110 - redone below
            pass
    return done + [work(item) for item in theirs]


def _reap(pid: int, read_end: int) -> None:
    """Stop waiting for a child whose results are no longer wanted."""
    os.close(read_end)
    try:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
    except OSError:
        pass
