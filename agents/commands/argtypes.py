"""argparse `type=` checks shared by the commands. They raise InputError (one line, exit 2) while the
command line is parsed, so that a bad output path or number stops the command before any work."""
from __future__ import annotations

import math
import os
from collections.abc import Callable
from pathlib import Path

from agents.config import Range
from scenarios.errors import InputError


def _writable_ancestor(path: Path, flag: str) -> None:
    """The nearest existing ancestor of `path` must be a directory we may write into (missing ones are made)."""
    ancestor = path.absolute().parent
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise InputError(f"{flag} {path}: {ancestor} is a file, not a directory")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise InputError(f"{flag} {path}: cannot write into {ancestor} (permission denied)")


def output_file(flag: str, suffixes: tuple[str, ...] = ()) -> Callable[[str], Path]:
    """A file to (over)write: not a directory, in a directory we can write into."""
    def check(text: str) -> Path:
        path = Path(text)
        if suffixes and path.suffix.lower() not in suffixes:
            raise InputError(f"{flag} {path}: give a path ending in {' or '.join(suffixes)}")
        if path.is_dir():
            raise InputError(f"{flag} {path}: is a directory; give a file name such as {path / ('out' + (suffixes or ('',))[0])}")
        if path.exists() and not os.access(path, os.W_OK):
            raise InputError(f"{flag} {path}: the file is not writable")
        _writable_ancestor(path, flag)
        return path
    return check


def output_dir(flag: str) -> Callable[[str], Path]:
    """A directory to write into, made if missing: not a file, and writable."""
    def check(text: str) -> Path:
        path = Path(text)
        if path.exists() and not path.is_dir():
            raise InputError(f"{flag} {path}: exists and is not a directory")
        if path.is_dir() and not os.access(path, os.W_OK | os.X_OK):
            raise InputError(f"{flag} {path}: cannot write into it (permission denied)")
        _writable_ancestor(path, flag)
        return path
    return check


def number(kind: type, low: float, high: float, flag: str, *, low_open: bool = False) -> Callable[[str], int | float]:
    """An int or float in [low, high] ((low, high] with `low_open`); NaN and inf are refused."""
    bounds = Range(low, high, low_open)

    def check(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise InputError(f"{flag}: expected {'a whole number' if kind is int else 'a number'}, got {text!r}") from None
        if not math.isfinite(value) or value not in bounds:
            raise InputError(f"{flag} must be in {bounds}, got {text}")
        return value
    return check
