"""Writing a file from a second thread, so a large report's system calls overlap its rendering.

A report of a million results is gigabytes of text; the kernel's copy of each chunk into the
page cache costs about as much CPU as rendering it. :class:`BackgroundFile` hands each chunk to
a thread that makes the ``write`` calls (which release the GIL) while the writer renders the
next one on the other CPU. At most :data:`QUEUED` chunks wait, so memory stays bounded; a write
error is raised in the caller at its next write, flush or close, never lost (it stays raised: a
report that failed to write is never completed).
"""

from __future__ import annotations

import io
import os
import queue
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

QUEUED = 8
"""Chunks that may wait for the writing thread (each up to the buffer's size)."""


class BackgroundFile(io.RawIOBase):
    """A raw, write-only file whose ``write`` calls run on a thread of their own."""

    def __init__(self, fd: int) -> None:
        super().__init__()
        self._fd = fd
        self._chunks: queue.Queue[bytes | None] = queue.Queue(QUEUED)
        self._error: OSError | None = None
        self._thread = threading.Thread(target=self._drain, name="report-writer", daemon=True)
        self._thread.start()

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._fd

    @property
    def name(self) -> int:
        """The descriptor, as for a file opened from one (a text wrapper shows it)."""
        return self._fd

    def write(self, data: ReadableBuffer) -> int:
        self._raise()
        chunk = bytes(data)  # the caller reuses its buffer once this returns
        self._chunks.put(chunk)
        return len(chunk)

    def flush(self) -> None:
        self._raise()

    def close(self) -> None:
        if self.closed:
            return
        self._chunks.put(None)
        self._thread.join()
        try:
            os.close(self._fd)
        finally:
            super().close()
        self._raise()

    def _raise(self) -> None:
        if self._error is not None:
            raise self._error

    def _drain(self) -> None:
        while (chunk := self._chunks.get()) is not None:
            if self._error is not None:
                continue  # keep taking chunks so the caller never blocks on a full queue
            try:
                view = memoryview(chunk)
                while view:
                    view = view[os.write(self._fd, view) :]
            except OSError as exc:
                self._error = exc


def background_text(fd: int, *, buffering: int) -> io.TextIOWrapper:
    """A UTF-8 text stream on ``fd`` (which it closes) whose writes run on another thread."""
    text = io.TextIOWrapper(BackgroundFile(fd), encoding="utf-8", newline="", write_through=False)
    text._CHUNK_SIZE = buffering  # type: ignore[attr-defined]  # the wrapper buffers itself
    return text
