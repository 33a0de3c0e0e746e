"""Which doors of the hiders' room trained hiders shut, by how far the nearest box started from them,
in recorded quadrant episodes (`arena eval RUN_DIR --episodes 200 --record DIR`).

    python docs/probes/doors_by_distance.py DIR

A door counts as shut as in the fort detector: at the end of the preparation phase, no agent fits
through it past the boxes the hiders locked. Replays keep the walls, not the doors, so the doors are
read back as the gaps between interior wall segments on one line (which is what they are in the
quadrant layout)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

import replays
from arena import forts
from arena.snapshot import BOX, HIDERS, LOW

BANDS = [(0.0, 0.6), (0.6, 1.0), (1.0, 1.5), (1.5, 2.0), (2.0, np.inf)]


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


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("replays", type=Path, help="a directory of recorded episodes")
    args = parser.parse_args()
    rows = []
    for path in sorted(args.replays.glob("*.npz")):
        replay = replays.format.load(path)
        doors = doors_of(replay.static.walls)
        start, end = replay.snapshot(0), replay.snapshot(replay.static.prep_steps)
        boxes = replay.static.obj_kind == BOX
        shut = forts.doors_shut(end, doors, HIDERS)
        for door, closed in zip(doors, shut):
            middle = (door[:2] + door[2:]) / 2
            rows.append((np.linalg.norm(start.obj_pos[boxes] - middle, axis=1).min(), closed, len(doors)))
    if not rows:
        print(f"{args.replays}: no recorded episodes with doors there (*.npz from arena eval --record)",
              file=sys.stderr)
        sys.exit(2)
    rows = np.array(rows)
    print(f"{len(rows)} doors in {args.replays}\nnearest box starts  doors  shut  (one-door rooms, two-door rooms)")
    for lo, hi in BANDS:
        band = rows[(rows[:, 0] >= lo) & (rows[:, 0] < hi)]
        if len(band):
            split = [f"{band[band[:, 2] == n, 1].mean():.2f}" if (band[:, 2] == n).any() else "-" for n in (1, 2)]
            label = f"{lo:.1f}-{hi:.1f} m" if hi < np.inf else f">= {lo:.1f} m"
            print(f"{label:>19}  {len(band):5d}  {band[:, 1].mean():4.2f}  ({', '.join(split)})")


if __name__ == "__main__":
    main()
