"""Which doors of the hiders' room trained hiders shut, by how far the nearest box started from them,
in recorded quadrant episodes (`arena eval RUN_DIR --episodes 200 --record DIR`).

    python docs/probes/doors_by_distance.py DIR

A door counts as shut as in the fort detector: at the end of the preparation phase, no agent fits
through it past the boxes the hiders locked. Replays keep the walls, not the doors, so the doors are
read back as the gaps between interior wall segments on one line (which is what they are in the
quadrant layout)."""
from __future__ import annotations

import numpy as np

from arena import forts
from arena.snapshot import BOX, HIDERS

import recorded  # a sibling script, found next to the probe

BANDS = [(0.0, 0.6), (0.6, 1.0), (1.0, 1.5), (1.5, 2.0), (2.0, np.inf)]


def main():
    args = recorded.parser(__doc__).parse_args()
    rows = []
    for _, replay, doors in recorded.rooms(args.replays):
        start, end = replay.snapshot(0), replay.snapshot(replay.static.prep_steps)
        boxes = replay.static.obj_kind == BOX
        shut = forts.doors_shut(end, recorded.room_of(replay.static), doors, HIDERS)
        for door, closed in zip(doors, shut):
            middle = (door[:2] + door[2:]) / 2
            rows.append((np.linalg.norm(start.obj_pos[boxes] - middle, axis=1).min(), closed, len(doors)))
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
