"""Upstream's lock-objects family, shared by lock_and_return and sequential_lock: a reward for each
box newly locked, a penalty for each one unlocked, a shaped reward for the step's progress towards
the next target (a box to lock, or the spawn point once there is nothing left to lock), and a
success reward every step the task is done. One agent."""
from __future__ import annotations

import numpy as np

from arena.layouts import Layout
from arena.snapshot import BOX, Snapshot
from scenarios.schema import Scenario


class LockBoxes:
    def __init__(self, scenario: Scenario, first: Snapshot, layout: Layout):
        self.rewards = scenario.task.rewards
        self.boxes = np.flatnonzero(first.static.obj_kind == BOX)
        self.prev = first
        self.stats = {"locks": 0.0, "unlocks": 0.0, "success_steps": 0.0}

    def _target(self, snap: Snapshot) -> int | None:
        """The object to head for: the closest unlocked box; None once all are locked."""
        unlocked = self.boxes[snap.obj_lock[self.boxes] < 0]
        if not len(unlocked):
            return None
        return int(unlocked[np.argmin(np.linalg.norm(snap.obj_pos[unlocked] - snap.agent_pos[0], axis=1))])

    def _distance(self, snap: Snapshot, target: int) -> float:
        return float(np.linalg.norm(snap.agent_pos[0] - snap.obj_pos[target]))

    def _done(self, snap: Snapshot) -> bool:
        return bool((snap.obj_lock[self.boxes] >= 0).all())

    def step(self, snap: Snapshot) -> np.ndarray:
        spec, prev = self.rewards, self.prev
        was, now = prev.obj_lock[self.boxes] >= 0, snap.obj_lock[self.boxes] >= 0
        locks, unlocks = int((now & ~was).sum()), int((was & ~now).sum())
        target = self._target(prev)  # the target chosen before the step is the one it is judged on
        progress = 0.0 if target is None else self._distance(prev, target) - self._distance(snap, target)
        done = self._done(snap)
        self.stats["locks"] += locks
        self.stats["unlocks"] += unlocks
        self.stats["success_steps"] += done
        self.prev = snap
        return np.array([spec.lock * locks + spec.unlock * unlocks + spec.shaped_scale * progress
                         + spec.success * done])

    def terminated(self, snap: Snapshot) -> bool:
        return False

    def episode_stats(self, last: Snapshot) -> dict[str, float]:
        return {**self.stats, "boxes_locked": float((last.obj_lock[self.boxes] >= 0).sum()),
                "success": float(self._done(last))}
