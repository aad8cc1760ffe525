"""Files written whole or not at all.

A report, snapshot or baseline is read by the next CI step (a SARIF upload, ``diff``, the next
scan's ``--baseline``). If wfcheck is stopped or fails half-way (a full disk, a crash, Ctrl-C),
a truncated file would be read as a complete one with fewer findings. So a regular file is
written beside its target under a temporary name and renamed over it only once complete: the
reader sees the old file or the new one, never part of one.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import TextIO

from checker.files.background import background_text

DEFAULT_BUFFER = 1 << 16


@contextmanager
def replacing(path: str, *, buffering: int = -1) -> Iterator[TextIO]:
    """A text stream whose content replaces ``path`` when the block ends without an error.

    Symbolic links are followed (the file they point at is replaced, the link stays). A path
    that exists and is not a regular file (``/dev/stdout``, a FIFO) is written in place: it
    cannot be renamed over, and replacing a device node would be worse than a partial write.
    An existing file keeps its permission bits; one in a folder that takes no new files is
    written in place, as before.
    """
    target = os.path.realpath(path)
    try:
        mode: int | None = os.stat(target).st_mode
    except FileNotFoundError:
        mode = None
    folder, name = os.path.split(target)
    fd = -1
    if mode is None or stat.S_ISREG(mode):
        try:
            fd, temporary = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
        except PermissionError:
            if mode is None:
                raise
    if fd < 0:
        with open(path, "w", encoding="utf-8", newline="", buffering=buffering) as handle:
            yield handle
        return
    try:
        with background_text(fd, buffering=max(buffering, DEFAULT_BUFFER)) as handle:
            yield handle
        if mode is None:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temporary, 0o666 & ~umask)  # as open() would have created it
        else:
            os.chmod(temporary, stat.S_IMODE(mode))
        os.replace(temporary, target)
    except BaseException:
        with suppress(OSError):
            os.unlink(temporary)
        raise
