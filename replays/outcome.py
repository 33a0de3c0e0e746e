"""What one recorded episode showed, read from the episode statistics stored in its meta: the
emergence stages (`arena.stages`), the hidden fraction and the winner; an index of a folder of
replays (`index.json`, written by `arena eval --record`), and a folder's episodes filtered by stage.

Hide-and-seek scores every main-phase step +1 to the hiders when no seeker sees a hider and +1
to the seekers otherwise, so the hiders won when they hid in more than half of those steps."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from arena.stages import STAGES, reached
from replays import format as fmt
from replays.files import atomic_output, replay_files
from scenarios.errors import InputError

INDEX_NAME = "index.json"
STAGE_LABELS = {"chasing": "chasing", "fort": "fort", "ramp_use": "ramp use", "ramp_defence": "ramp defence"}


@dataclass(frozen=True)
class Outcome:
    stages: dict[str, bool]        # empty for tasks without the hide-and-seek statistics
    hidden_fraction: float | None

    @classmethod
    def of(cls, meta: dict) -> Outcome:
        stats = next(iter(meta.get("episode_stats", {}).values()), {})
        return cls(reached(stats), stats.get("hidden_fraction"))

    @property
    def winner(self) -> str | None:
        if self.hidden_fraction is None:
            return None
        if self.hidden_fraction == 0.5:
            return "draw"
        return "hiders" if self.hidden_fraction > 0.5 else "seekers"

    @property
    def shown(self) -> list[str]:
        return [name for name, on in self.stages.items() if on]

    def lines(self) -> list[str]:
        """The outcome as the viewer's panel shows it."""
        if self.winner is None:
            return ["no hide-and-seek statistics in this file"]
        won = "a draw" if self.winner == "draw" else f"{self.winner} won"
        stages = ", ".join(STAGE_LABELS[s] for s in self.shown) or "none"
        return [f"{won}, hidden {self.hidden_fraction:.0%}", f"stages: {stages}"]

    def record(self) -> dict:
        return {"stages": self.shown, "hidden_fraction": self.hidden_fraction, "winner": self.winner}


def read_meta(path: str | Path) -> dict:
    """A replay's meta without decompressing its arrays; a file it cannot read goes through
    `format.load`, which names what is wrong."""
    try:
        with np.load(path, allow_pickle=False) as npz:
            meta = json.loads(npz["meta"].tobytes().decode("utf-8"))
        if meta.get("format") == fmt.FORMAT_NAME and meta.get("format_version", 0) <= fmt.FORMAT_VERSION:
            return meta
    except Exception:  # noqa: BLE001 - format.load below reports it
        pass
    return fmt.load(path).meta


def check_stage(stage: str) -> str:
    if stage not in STAGES:
        raise InputError(f"--stage {stage!r}: not a stage; choose one of {', '.join(STAGES)}")
    return stage


def showing(paths: list[Path], stage: str | None) -> list[Path]:
    """The replays among `paths` whose episode showed `stage` (all of them when it is None)."""
    if stage is None:
        return paths
    check_stage(stage)
    return [p for p in paths if Outcome.of(read_meta(p)).stages.get(stage)]


def write_index(folder: str | Path) -> Path:
    """Write `index.json` into a folder of replays: per file, the stages it showed, the hidden
    fraction and the winner; per stage, the files that showed it."""
    folder = Path(folder)
    episodes = {p.name: Outcome.of(read_meta(p)).record() for p in replay_files(folder)}
    index = {"episodes": episodes,
             "by_stage": {s: [name for name, e in episodes.items() if s in e["stages"]] for s in STAGES}}
    out = folder / INDEX_NAME
    with atomic_output(out) as tmp:
        tmp.write_text(json.dumps(index, indent=1) + "\n")
    return out

