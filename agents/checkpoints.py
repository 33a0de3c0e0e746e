"""Checkpoint files: written atomically, read only when whole and finite.

A checkpoint is torch's zip format; every member carries a CRC-32, which `read` checks before
loading, so flipped bytes are refused instead of loaded as changed weights. Weights that are NaN or
infinite are refused on reading, and never written over a good checkpoint.

A run's config lives twice: in config.yaml (for people) and inside the checkpoint (`config`).
`check_config` compares them before a resume or an eval; a resume may change only MIDRUN keys."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import torch

from agents.runfiles import write_atomic
from scenarios.errors import InputError

# what a resume may change: how long, where and how fast the run goes, how often it saves, and when
# the curriculum ends (to keep its schedule when a run is extended); never what it learns or on what
MIDRUN = ("steps", "device", "workers", "ray", "ray_workers", "threads", "update_threads", "overlap", "bf16", "checkpoint_every",
          "checkpoint_minutes", "record_every", "curriculum_until")


def nonfinite(state, prefix: str = "") -> list[str]:
    """Names of the floating-point tensors in a nested state dict that hold NaN or infinity."""
    if isinstance(state, torch.Tensor):
        return [prefix] if state.is_floating_point() and not torch.isfinite(state).all() else []
    if isinstance(state, dict):
        return [name for k, v in state.items() for name in nonfinite(v, f"{prefix}.{k}" if prefix else str(k))]
    if isinstance(state, (list, tuple)):
        return [name for i, v in enumerate(state) for name in nonfinite(v, f"{prefix}[{i}]")]
    return []


def write(state: dict, path: Path) -> None:
    """Save `state` atomically; policies with NaN or infinite weights are an error, and the
    checkpoint already there stays."""
    bad = nonfinite(state["policies"])
    if bad:
        raise FloatingPointError(f"not saving {path}: non-finite weights in {', '.join(bad[:3])}")
    buffer = io.BytesIO()
    torch.save(state, buffer)
    write_atomic(path, buffer.getvalue())


def read(path: Path) -> dict:
    """A checkpoint's state; a damaged, unreadable or non-finite one is an InputError."""
    path = Path(path)
    try:
        with zipfile.ZipFile(path) as archive:
            damaged = archive.testzip()
        if damaged is not None:
            raise ValueError(f"member {damaged} fails its CRC-32 check")
        state = torch.load(path, map_location="cpu", weights_only=True)
        if not isinstance(state, dict) or "policies" not in state:
            raise ValueError("not a training checkpoint")
    except Exception as e:  # any failure to read is the same problem for the user
        raise InputError(f"{path}: damaged or unreadable checkpoint ({type(e).__name__}: {e}); "
                         "restore it from a copy") from e
    bad = nonfinite(state["policies"])
    if bad:
        raise InputError(f"{path}: damaged checkpoint: non-finite weights in {', '.join(bad[:3])}")
    return state


def check_config(on_disk: dict, stored: dict, where: Path) -> list[str]:
    """Compare config.yaml's values (`on_disk`) with those the checkpoint stored. A key that the
    checkpoint has and the file lacks (a file cut short) or a differing key that a resume may not
    change is an error naming the keys; returns the MIDRUN keys that differ (the file's value wins)."""
    missing = sorted(k for k in stored if k not in on_disk)
    if missing:
        raise InputError(f"{where}: lacks {', '.join(missing)}, which its checkpoint has (cut short?); "
                         "restore the file or rewrite it from the checkpoint's config")
    differ = sorted(k for k in stored if on_disk[k] != stored[k])
    fixed = [k for k in differ if k not in MIDRUN]
    if fixed:
        shown = "; ".join(f"{k}: {on_disk[k]!r} here, {stored[k]!r} in the checkpoint" for k in fixed)
        raise InputError(f"{where}: disagrees with its checkpoint ({shown}); restore the file")
    return differ
