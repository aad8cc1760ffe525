"""Background writes: the bytes arrive whole and in order, and a write error reaches the caller."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from checker.files.background import BackgroundFile, background_text


def test_text_arrives_whole_and_in_order(tmp_path: Path) -> None:
    path = tmp_path / "out.txt"
    pieces = [f"line {n} {'é' * (n % 7)}\r\n" * (1 + n % 300) for n in range(3000)]
    fd = os.open(path, os.O_WRONLY | os.O_CREAT)
    with background_text(fd, buffering=1 << 12) as stream:
        for piece in pieces:
            stream.write(piece)
    assert path.read_bytes() == "".join(pieces).encode()


def test_the_thread_gets_chunks_of_about_the_buffer_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Few hand-offs (not one per write), and none much past the buffer unless one write is."""
    sizes: list[int] = []
    handed = BackgroundFile.write

    def write(self: BackgroundFile, data: bytes) -> int:
        sizes.append(len(data))
        return handed(self, data)

    monkeypatch.setattr(BackgroundFile, "write", write)
    fd = os.open(tmp_path / "out.txt", os.O_WRONLY | os.O_CREAT)
    with background_text(fd, buffering=1 << 16) as stream:
        for n in range(20_000):
            stream.write(f"row {n}\r\n")
        stream.write("x" * (1 << 18))
    assert len(sizes) < 10
    assert all(size <= 1 << 16 for size in sizes[:-1])
    assert max(sizes) == 1 << 18


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux)")
def test_a_write_error_is_raised_in_the_caller() -> None:
    fd = os.open("/dev/full", os.O_WRONLY)
    # The error comes at a later write than the one that failed, or at the close.
    with pytest.raises(OSError) as raised, background_text(fd, buffering=1 << 12) as stream:
        for _ in range(1000):
            stream.write("x" * 10_000)
    assert raised.value.errno == errno.ENOSPC


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux)")
def test_an_error_in_the_last_chunk_is_raised_on_close() -> None:
    fd = os.open("/dev/full", os.O_WRONLY)
    stream = background_text(fd, buffering=1 << 12)
    stream.write("short")
    with pytest.raises(OSError) as raised:
        stream.close()
    assert raised.value.errno == errno.ENOSPC
