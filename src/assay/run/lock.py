"""One run per project at a time.

The lock is a file in the project's `.assay/` folder held with `flock`: the kernel releases it
when the holding process dies, however it dies, so a stale lock is simply taken over. The file
keeps the holder's pid, host and start time for the message a second run gets. Engines that are
shared servers add a server-side lock (`Engine.exclusive`), which also covers runs started from
other machines.
"""

from __future__ import annotations

import fcntl
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from assay.engine import Engine
from assay.errors import RunLockedError

LOCK_FILE = Path(".assay") / "run.lock"


@contextmanager
def run_lock(engine: Engine, project_name: str, project_dir: Path) -> Iterator[None]:
    """Hold the project's run lock (file, then server) for the block, or raise RunLockedError."""
    path = project_dir / LOCK_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 4096, 0).decode("utf-8", "replace").strip() or "another process"
            raise RunLockedError(f"another run of project {project_name!r} is in progress: held by {holder} ({path})") from None
        started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} on {socket.gethostname()} since {started}\n".encode(), 0)
        with engine.exclusive(f"assay-run:{project_name}"):
            yield
        os.ftruncate(fd, 0)
    finally:
        os.close(fd)
