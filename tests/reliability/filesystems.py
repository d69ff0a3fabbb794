"""Small file systems for the storage-fault tests: a tiny tmpfs that fills up, a read-only one.

Mounting needs root (and a kernel that lets this container mount tmpfs); where it is not
possible the tests that need it are skipped and the portable variants (SQLite's max_page_count,
chmod as a normal user) still run.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import pytest


@cache
def can_mount() -> bool:
    """Whether this process may mount a tmpfs (root, with the capability to mount)."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    probe = Path(f"/tmp/caseload-mount-probe-{os.getpid()}")
    probe.mkdir(exist_ok=True)
    try:
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(probe)],
                              capture_output=True).returncode == 0
        if done:
            subprocess.run(["umount", str(probe)], check=True)
        return done
    finally:
        probe.rmdir()


def need_mount() -> None:
    if not can_mount():
        pytest.skip("needs root and permission to mount a tmpfs")


@contextmanager
def tmpfs(where: Path, size_kb: int) -> Iterator[Path]:
    """A tmpfs of `size_kb` kilobytes mounted at `where` (owner-only), unmounted afterwards."""
    need_mount()
    where.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kb}k,mode=0700", "tmpfs",
                    str(where)], check=True)
    try:
        yield where
    finally:
        if subprocess.run(["umount", str(where)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(where)], check=False)


def remount_read_only(where: Path) -> None:
    """Make a tmpfs of `tmpfs()` read-only: no write succeeds, not even root's."""
    subprocess.run(["mount", "-o", "remount,ro", str(where)], check=True)


def fill(folder: Path, leave: int = 0) -> Path:
    """Fill the file system of `folder` with one file, leaving about `leave` bytes free."""
    filler = folder / "filler"
    chunk = b"\0" * 4096
    with open(filler, "wb", buffering=0) as out:
        try:
            while True:
                out.write(chunk)
        except OSError as exc:
            if exc.errno != errno.ENOSPC:
                raise
        try:
            while True:
                out.write(b"\0")
        except OSError as exc:
            if exc.errno != errno.ENOSPC:
                raise
        if leave:
            out.truncate(max(0, out.tell() - leave))
    return filler


def copy_database(source: Path, target_folder: Path) -> Path:
    """Copy a closed database file (no -wal left) into `target_folder`, owner-only."""
    target_folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    target = target_folder / source.name
    shutil.copyfile(source, target)
    target.chmod(0o600)
    return target
