"""Whether the two hiders split the boxes between them in the preparation phase, in recorded
quadrant episodes (`arena eval RUN_DIR --episodes 100 --record DIR`).

    python docs/probes/hider_split.py DIR

For each episode, the box each hider held for the most steps of the preparation phase: `split` when
those differ, `same box` when they are one box, `one hider` when only one of them held any box. Printed for one-door and two-door rooms, with the share of
each that ended the preparation phase as a fort."""
from __future__ import annotations

import numpy as np

from arena import forts
from arena.snapshot import BOX, HIDERS

import recorded  # a sibling script, found next to the probe

KINDS = ["split", "same box", "one hider", "no box held"]


def kind(held: list[np.ndarray]) -> str:
    """`held`: for each hider, the box it held at each step (-1: none). A hider's box is the one it
    held longest."""
    mains = [np.bincount(h[h >= 0]).argmax() for h in held if (h >= 0).any()]
    if not mains:
        return "no box held"
    if len(mains) == 1:
        return "one hider"
    return "split" if len(set(mains)) == len(mains) else "same box"


def main():
    args = recorded.parser(__doc__).parse_args()
    table: dict[tuple[int, str], list[bool]] = {}
    for _, replay, doors in recorded.rooms(args.replays):
        static, prep = replay.static, replay.static.prep_steps
        hiders = np.flatnonzero(static.agent_team == HIDERS)
        grabs = np.stack([replay.snapshot(t).agent_grab for t in range(prep + 1)]).astype(np.int64)
        grabs[grabs >= 0] = np.where(static.obj_kind[grabs[grabs >= 0]] == BOX, grabs[grabs >= 0], -1)
        held = [grabs[:, h] for h in hiders]
        fort = bool(forts.doors_shut(replay.snapshot(prep), recorded.room_of(static), doors, HIDERS).all())
        table.setdefault((len(doors), kind(held)), []).append(fort)
    print(f"{'':>12}  {'one-door rooms':>20}  {'two-door rooms':>20}\n{'':>12}  {'episodes':>10}{'forts':>10}"
          f"  {'episodes':>10}{'forts':>10}")
    for name in KINDS:
        cells = []
        for n in (1, 2):
            forts_held = table.get((n, name), [])
            cells.append(f"{len(forts_held):>10}{np.mean(forts_held) if forts_held else float('nan'):>10.2f}")
        print(f"{name:>12}  " + "  ".join(cells))


if __name__ == "__main__":
    main()
