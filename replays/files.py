"""File helpers shared by the replay writers and readers."""
from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

from scenarios.errors import InputError

REPLAY_SUFFIX = ".replay.npz"
_UMASK = os.umask(0o022)
os.umask(_UMASK)


@contextmanager
def atomic_output(path: str | Path):
    """Yield a temporary path beside `path` (same suffix, so writers pick the same format);
    move it onto `path` only if the block finishes without an exception."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=path.suffix)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o666 & ~_UMASK)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def replay_files(path: str | Path) -> list[Path]:
    """The replay itself, or the replays in a directory in name order."""
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.name.endswith(REPLAY_SUFFIX))
        if not files:
            raise InputError(f"{path}: no *{REPLAY_SUFFIX} files in this directory")
        return files
    if not path.exists():
        raise InputError(f"{path}: no such file or directory")
    return [path]
