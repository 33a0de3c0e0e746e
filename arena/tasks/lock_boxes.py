"""Upstream's lock-objects family (LockObjectsTask), shared by lock_and_return and sequential_lock:
a reward for each box newly locked, a penalty for each one unlocked, a shaped reward for the step's
progress towards the next box to lock, and a success reward every step the task is done. As
upstream, when the target changes because it was locked the agent gets the distance it was still
away (as if it had covered it), and when it changes otherwise it loses its distance to the new one;
with `returns`, once every box is locked the shaped reward leads back to the spawn point. One agent."""
from __future__ import annotations

import numpy as np

from arena.layouts import Layout
from arena.snapshot import BOX, Snapshot
from scenarios.schema import Scenario


class LockBoxes:
    returns = False   # the task ends with a return to the spawn point (lock_and_return)

    def __init__(self, scenario: Scenario, first: Snapshot, layout: Layout):
        self.rewards = scenario.task.rewards
        self.boxes = np.flatnonzero(first.static.obj_kind == BOX)
        self.spawn = first.agent_pos[0].copy()
        self.prev = first
        self.stats = {"locks": 0.0, "unlocks": 0.0, "success_steps": 0.0}

    def _target(self, snap: Snapshot) -> int | None:
        """The box to head for: the closest unlocked one; None once all are locked."""
        unlocked = self.boxes[snap.obj_lock[self.boxes] < 0]
        if not len(unlocked):
            return None
        return int(unlocked[np.argmin(np.linalg.norm(snap.obj_pos[unlocked] - snap.agent_pos[0], axis=1))])

    def _distance(self, snap: Snapshot, target: int | None) -> float:
        where = self.spawn if target is None else snap.obj_pos[target]
        return float(np.linalg.norm(snap.agent_pos[0] - where))

    def _locked(self, snap: Snapshot) -> bool:
        return bool((snap.obj_lock[self.boxes] >= 0).all())

    def _done(self, snap: Snapshot) -> bool:
        return self._locked(snap)

    def _progress(self, prev: Snapshot, snap: Snapshot) -> float:
        before, after = self._target(prev), self._target(snap)
        if before is None and after is None:
            return self._distance(prev, None) - self._distance(snap, None) if self.returns else 0.0
        if before == after:
            return self._distance(prev, before) - self._distance(snap, before)
        if before is not None and snap.obj_lock[before] >= 0:
            return self._distance(prev, before)
        return -self._distance(snap, after)

    def step(self, snap: Snapshot) -> np.ndarray:
        spec, prev = self.rewards, self.prev
        was, now = prev.obj_lock[self.boxes] >= 0, snap.obj_lock[self.boxes] >= 0
        locks, unlocks = int((now & ~was).sum()), int((was & ~now).sum())
        done = self._done(snap)
        self.stats["locks"] += locks
        self.stats["unlocks"] += unlocks
        self.stats["success_steps"] += done
        self.prev = snap
        return np.array([spec.lock * locks + spec.unlock * unlocks + spec.shaped_scale * self._progress(prev, snap)
                         + spec.success * done])

    def terminated(self, snap: Snapshot) -> bool:
        return False

    def episode_stats(self, last: Snapshot) -> dict[str, float]:
        return {**self.stats, "boxes_locked": float((last.obj_lock[self.boxes] >= 0).sum()),
                "success": float(self._done(last))}
