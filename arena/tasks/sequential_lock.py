"""Sequential lock: lock every box, but boxes only lock in index order (`rules.lock_order:
box_index`, enforced by the mechanics), an order the agent is never told. The shaped reward leads
to the next box in that order."""
from __future__ import annotations

import numpy as np

from arena.snapshot import Snapshot
from arena.tasks.lock_boxes import LockBoxes


class SequentialLock(LockBoxes):
    def _target(self, snap: Snapshot) -> int | None:
        unlocked = self.boxes[snap.obj_lock[self.boxes] < 0]
        return int(unlocked[0]) if len(unlocked) else None
