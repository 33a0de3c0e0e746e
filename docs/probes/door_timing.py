"""When trained hiders shut their doors, in recorded quadrant episodes (`arena eval RUN_DIR --episodes
100 --record DIR`): the share of episodes whose every door is shut at the end of the preparation
phase and at later steps of the main phase, by the boxes the hiders locked and by any box.

    python docs/probes/door_timing.py DIR

The fort detector (stage 2) looks only at the end of the preparation phase; hiders that finish
shutting the doors while the seekers walk over are caught here. "Shut" is the detector's test (no
agent fits through the gap past the boxes); unlike the detector this does not check that every hider
is inside."""
from __future__ import annotations

import numpy as np

from arena import forts
from arena.snapshot import HIDERS

import recorded  # a sibling script, found next to the probe

AFTER_PREP = (0, 1, 4, 8, 16)


def main():
    args = recorded.parser(__doc__).parse_args()
    rows = []
    for _, replay, doors in recorded.rooms(args.replays):
        prep = replay.static.prep_steps
        frames = [prep + k for k in AFTER_PREP] + [replay.num_frames - 1]
        locked = [forts.doors_shut(replay.snapshot(f), recorded.room_of(replay.static), doors, HIDERS).all() for f in frames]
        any_box = (forts.door_cover(replay.snapshot(prep), forts.gap_points(doors), HIDERS)[:, 1] == 1.0).all()
        rows.append([len(doors), *locked, any_box])
    rows = np.array(rows, dtype=float)
    labels = [f"prep end + {k}" if k else "prep end" for k in AFTER_PREP] + ["episode end"]
    print(f"{len(rows)} episodes in {args.replays}: share with every door shut by the hiders' locked boxes")
    print(f"{'at':>14}  {'all':>5}  {'1 door':>6}  {'2 doors':>7}")
    for i, label in enumerate(labels, start=1):
        print(f"{label:>14}  {_share(rows, i)}")
    print(f"{'prep end, any':>14}  {_share(rows, len(labels) + 1)}   (by any box, locked or not)")


def _share(rows: np.ndarray, column: int) -> str:
    parts = [rows[:, column].mean()] + [rows[rows[:, 0] == n, column].mean() if (rows[:, 0] == n).any() else np.nan
                                        for n in (1, 2)]
    return f"{parts[0]:5.2f}  {parts[1]:6.2f}  {parts[2]:7.2f}"


if __name__ == "__main__":
    main()
