"""What the replay probes share: the directory of recorded quadrant episodes they read
(`arena eval RUN_DIR --episodes 100 --record DIR`) and the doors of the hiders' room, read back from
each replay's walls (replays keep the walls, not the doors; in the quadrant layout a door is a gap
between interior wall segments on one line)."""
from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np

import replays
from arena.snapshot import LOW


def room_of(static) -> tuple[float, float, float, float]:
    """The quadrant's hiders' room: from its LOW walls to the far corner of the play area."""
    low = static.walls[static.walls[:, 4] == LOW]
    return (float(low[:, [0, 2]].min()), float(low[:, [1, 3]].min()), static.size, static.size)


def parser(doc: str) -> argparse.ArgumentParser:
    """A probe's command line: its docstring as help and the directory of recorded episodes."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("replays", type=Path, help="a directory of recorded episodes")
    return parser


def rooms(directory: Path) -> Iterator[tuple[Path, replays.format.Replay, np.ndarray]]:
    """Each recorded episode with doors in `directory`, as (path, replay, doors); exits with status 2
    and says why when there is none."""
    found = False
    for path in sorted(directory.glob("*.npz")):
        replay = replays.format.load(path)
        doors = doors_of(replay.static.walls)
        if len(doors):
            found = True
            yield path, replay, doors
    if not found:
        print(f"{directory}: no recorded episodes with doors there (*.npz from arena eval --record)",
              file=sys.stderr)
        sys.exit(2)


def doors_of(walls: np.ndarray) -> np.ndarray:
    """(D, 4) gaps between collinear LOW wall segments."""
    doors = []
    low = walls[walls[:, 4] == LOW]
    for axis in (0, 1):   # 0: walls along y at a fixed x; 1: along x at a fixed y
        straight = low[np.isclose(low[:, axis], low[:, axis + 2])]
        for fixed in np.unique(straight[:, axis]):
            spans = np.sort(straight[np.isclose(straight[:, axis], fixed)][:, [1 - axis, 3 - axis]], axis=1)
            spans = spans[np.argsort(spans[:, 0])]
            for end, start in zip(spans[:-1, 1], spans[1:, 0]):
                if start - end > 1e-6:
                    door = np.empty(4)
                    door[[axis, axis + 2]], door[[1 - axis, 3 - axis]] = fixed, (end, start)
                    doors.append(door)
    return np.array(doors).reshape(-1, 4)
