"""Writing files that hold client data: owner-only from the start, and never half-written."""

from __future__ import annotations

import os
from pathlib import Path

from caseload.store.db import private_umask


def private_dir(path: Path) -> Path:
    """Create `path` (and missing parents) owner-only (0700); an existing folder is left as is."""
    with private_umask():
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def temporary_beside(path: Path) -> Path:
    """A new, empty, owner-only (0600) file next to `path`, to be renamed over it when done."""
    private_dir(path.parent)
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with private_umask():
        fd = os.open(temp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    os.close(fd)
    os.chmod(temp, 0o600)  # in case a stale temporary file had other permissions
    return temp


def write_private(path: Path, data: bytes) -> Path:
    """Write `data` to `path` owner-only (0600), atomically: readers see old or new, never half."""
    temp = temporary_beside(path)
    try:
        with open(temp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return path
