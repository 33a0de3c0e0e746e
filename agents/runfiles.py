"""The files of a run directory, written so that a kill or a bad command never loses or damages them.

Every file is written to `.<name>.tmp` beside its target and moved over it (`os.replace`), so a
reader sees the old file or the new one, never half of one; a kill mid-write leaves only the `.tmp`,
which `remove_debris` deletes. `metrics.jsonl` is appended line by line: a kill can cut its last
line, which `read_metrics` drops with a warning."""
from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

TMP_SUFFIX = ".tmp"
RUN_OUTPUTS = ("checkpoint.pt", "config.yaml", "stages.json", "metrics.jsonl", "tb", "replays", "highlights",
               "eval_replays")


def tmp_path(path: Path) -> Path:
    return path.with_name(f".{path.name}{TMP_SUFFIX}")


def write_atomic(path: Path, data: bytes | str) -> None:
    """Write `data` to `path` through a temporary file beside it, synced to disk before the move."""
    path = Path(path)
    tmp = tmp_path(path)
    with open(tmp, "wb") as f:
        f.write(data.encode() if isinstance(data, str) else data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def write_json(path: Path, data) -> None:
    write_atomic(path, json.dumps(data, indent=2) + "\n")


def copy_atomic(source: Path, target: Path) -> None:
    tmp = tmp_path(target)
    shutil.copyfile(source, tmp)
    os.replace(tmp, target)


def remove_debris(run_dir: Path) -> list[Path]:
    """Delete what interrupted writes left in a run: `.<name>.tmp` files and `.tries-*` folders of
    highlights being recorded. Returns what was removed."""
    found = [p for p in Path(run_dir).glob(f".*{TMP_SUFFIX}") if p.is_file()]
    found += [p for p in (Path(run_dir) / "highlights").glob(".tries-*") if p.is_dir()]
    for p in found:
        shutil.rmtree(p) if p.is_dir() else p.unlink()
    return found


def read_metrics(path: Path) -> list[dict]:
    """The lines of a metrics.jsonl; a last line cut by a kill is dropped with a warning, a damaged
    line elsewhere is an error."""
    from scenarios.errors import InputError

    lines = Path(path).read_text().splitlines()
    rows = []
    for i, line in enumerate(lines, 1):
        try:
            rows.append(json.loads(line))
        except ValueError as e:
            if i < len(lines):
                raise InputError(f"{path}: line {i} is not JSON ({e}); fix or delete the line") from e
            print(f"arena: warning: {path}: dropped its last line, cut short (a kill mid-write)", file=sys.stderr)
    return rows


def keep_metrics_until(path: Path, step: int) -> None:
    """Drop what was logged after `step` (the checkpoint a resume starts from)."""
    if path.exists():
        write_atomic(path, "".join(json.dumps(row) + "\n" for row in read_metrics(path) if row.get("step", 0) <= step))


def clear_run(run_dir: Path) -> None:
    """Delete the outputs of an earlier run in `run_dir` (for `--overwrite`); other files stay."""
    run_dir = Path(run_dir)
    for name in RUN_OUTPUTS:
        p = run_dir / name
        if p.is_dir():
            shutil.rmtree(p)
        elif p.exists():
            p.unlink()
    for p in run_dir.glob("eval*.json"):
        p.unlink()
    remove_debris(run_dir)
