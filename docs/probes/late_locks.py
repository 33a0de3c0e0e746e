"""Forts missed by a lock: in recorded quadrant episodes (`arena eval RUN_DIR --episodes 100 --record
DIR`), the episodes whose doors are all shut by boxes at the end of the preparation phase but not all
by boxes the hiders locked, and for each box that blocks a door unlocked there: how far the nearest
hider is (a hider within lock range could lock it), whether a hider holds it, whether the hiders
had locked it earlier in the preparation phase, and how many steps after the end of preparation
it is locked.

    python docs/probes/late_locks.py DIR [--lock-range 0.6]"""
from __future__ import annotations

import numpy as np

from arena import forts
from arena.snapshot import BOX, HIDERS

import recorded  # a sibling script, found next to the probe


def late_boxes(replay, doors: np.ndarray) -> list[tuple[float, bool, bool, int | None]]:
    """(nearest hider's distance, held by a hider, locked earlier, steps after prep until locked or
    None) of each unlocked box blocking a door at the end of preparation, in an episode whose doors
    are all shut by boxes then but not all by locked ones; none in any other episode."""
    prep = replay.static.prep_steps
    snap = replay.snapshot(prep)
    st = snap.static
    points = forts.gap_points(doors)
    cover = forts.door_cover(snap, points, HIDERS)
    if not ((cover[:, 1] == 1.0).all() and not (cover[:, 0] == 1.0).all()):
        return []
    points = points.reshape(-1, 2)
    reach = np.linalg.norm(st.obj_half, axis=-1) + 2 * st.agent_radius
    blocking = (np.linalg.norm(snap.obj_pos[:, None] - points[None], axis=-1).min(1) < reach) \
        & (st.obj_kind == BOX) & (snap.obj_lock != HIDERS)
    locks = np.array([replay.snapshot(f).obj_lock for f in range(replay.num_frames)]) == HIDERS
    hiders = st.agent_team == HIDERS
    rows = []
    for box in np.flatnonzero(blocking):
        later = np.flatnonzero(locks[prep:, box])
        rows.append((float(np.linalg.norm(snap.agent_pos[hiders] - snap.obj_pos[box], axis=-1).min()),
                     bool((snap.agent_grab[hiders] == box).any()), bool(locks[:prep, box].any()),
                     int(later[0]) if len(later) else None))
    return rows


def main():
    parser = recorded.parser(__doc__)
    parser.add_argument("--lock-range", type=float, default=0.6, help="the scenario's agents.lock_range")
    args = parser.parse_args()
    episodes, boxes = 0, []
    for path, replay, doors in recorded.rooms(args.replays):
        episodes += 1
        boxes += [(path.name, *row) for row in late_boxes(replay, doors)]
    late = {name for name, *_ in boxes}
    print(f"{len(late)} of {episodes} episodes in {args.replays} have every door shut at the end of preparation, "
          f"not every one by a locked box; their {len(boxes)} unlocked boxes in a door:")
    print(f"{'episode':>26}  {'hider at':>8}  {'held':>4}  {'locked before':>13}  {'locked after':>12}")
    for name, distance, held, before, after in boxes:
        print(f"{name:>26}  {distance:7.2f}m  {'yes' if held else 'no':>4}  {'yes' if before else 'no':>13}  "
              f"{'never' if after is None else f'+{after} steps':>12}")
    if boxes:
        near = np.mean([d <= args.lock_range for _, d, *_ in boxes])
        delays = [a for *_, a in boxes if a is not None]
        print(f"a hider within lock range of {near:.0%} of them; locked later: {len(delays)} of {len(boxes)}, "
              f"median +{np.median(delays) if delays else float('nan'):.0f} steps; held by a hider: "
              f"{sum(h for _, _, h, _, _ in boxes)}; locked earlier in the preparation phase, then unlocked: "
              f"{sum(b for *_, b, _ in boxes)}")


if __name__ == "__main__":
    main()
