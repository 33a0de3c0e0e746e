"""How trained hiders stay hidden in the main phase of recorded quadrant episodes (`arena eval RUN_DIR
--episodes 100 --record DIR`): the share of main-phase steps in which no seeker sees a hider, every
door of the hiders' room is shut by the hiders' locked boxes or by any box, and a hider holds a box.

    python docs/probes/main_phase.py DIR

Printed for the episodes that ended the preparation phase as a fort and for the others, so a team
that keeps the seekers out by holding an unlocked box against the door shows as "shut, any box"
with "hider holds a box" well above "shut, locked"."""
from __future__ import annotations

import numpy as np

from arena import forts
from arena.snapshot import BOX, HIDERS, SEEKERS

import recorded  # a sibling script, found next to the probe

COLUMNS = ["hidden", "shut, locked", "shut, any box", "hider holds a box"]


def main_phase_shares(replay, doors: np.ndarray) -> np.ndarray:
    static = replay.static
    hiders, seekers = static.agent_team == HIDERS, static.agent_team == SEEKERS
    points = forts.gap_points(doors)
    rows = []
    for t in range(static.prep_steps + 1, replay.num_frames):
        snap = replay.snapshot(t)
        cover = forts.door_cover(snap, points, HIDERS)
        grab = snap.agent_grab[hiders]
        rows.append([not snap.sees_agent[np.ix_(seekers, hiders)].any(), (cover[:, 0] == 1.0).all(),
                     (cover[:, 1] == 1.0).all(), (static.obj_kind[grab[grab >= 0]] == BOX).any()])
    return np.mean(rows, axis=0)


def main():
    args = recorded.parser(__doc__).parse_args()
    groups: dict[str, list[np.ndarray]] = {"fort at prep end": [], "no fort": []}
    for _, replay, doors in recorded.rooms(args.replays):
        fort = forts.doors_shut(replay.snapshot(replay.static.prep_steps), recorded.room_of(replay.static), doors,
                                 HIDERS).all()
        groups["fort at prep end" if fort else "no fort"].append(main_phase_shares(replay, doors))
    print(f"share of main-phase steps, mean over episodes\n{'':>17} {'episodes':>8} "
          + " ".join(f"{c:>17}" for c in COLUMNS))
    for name, rows in groups.items():
        cells = np.mean(rows, axis=0) if rows else np.full(len(COLUMNS), np.nan)
        print(f"{name:>17} {len(rows):>8} " + " ".join(f"{v:>17.2f}" for v in cells))


if __name__ == "__main__":
    main()
