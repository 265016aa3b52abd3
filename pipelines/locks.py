"""One-holder locks on files: ``flock``, which the operating system frees however its process
ends, so a killed holder never blocks the next. The holder writes who it is into the file, so
a waiter can say for whom it waits."""

from __future__ import annotations

import fcntl
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def held_flock(path: Path, holder: str, unknown_holder: str,
               on_wait: Callable[[str], None] | None, waiting: str) -> Iterator[None]:
    """Hold an exclusive ``flock`` on path, waiting while another process holds it.

    ``on_wait`` gets ``waiting`` formatted with ``holder`` (what the current holder wrote, or
    ``unknown_holder``) and ``path``, once, before the wait. While held, the file says ``holder``.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            current = handle.read().strip() or unknown_holder
            if on_wait:
                on_wait(waiting.format(holder=current, path=path))
            fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        handle.truncate()
        handle.write(holder)
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            handle.flush()
