"""Lock and return: lock the box, then come back to within `return_threshold` of the spawn point,
where the shaped reward leads once the box is locked. The agent observes its spawn point
(`spawn_obs`, relative to itself)."""
from __future__ import annotations

import numpy as np
from gymnasium import spaces

from arena.layouts import Layout
from arena.snapshot import Snapshot
from arena.tasks.lock_boxes import LockBoxes
from scenarios.schema import Scenario

SPAWN = -1


class LockAndReturn(LockBoxes):
    def __init__(self, scenario: Scenario, first: Snapshot, layout: Layout):
        super().__init__(scenario, first, layout)
        self.spawn = first.agent_pos[0].copy()
        self.threshold = scenario.task.return_threshold

    @staticmethod
    def observation_extras(scenario: Scenario) -> dict[str, spaces.Space]:
        return {"spawn_obs": spaces.Box(-np.inf, np.inf, shape=(2,), dtype=np.float32)}

    def observe(self, snap: Snapshot) -> list[dict[str, np.ndarray]]:
        return [{"spawn_obs": (self.spawn - snap.agent_pos[0]).astype(np.float32)}]

    def _target(self, snap: Snapshot) -> int | None:
        box = super()._target(snap)
        return SPAWN if box is None else box

    def _distance(self, snap: Snapshot, target: int) -> float:
        if target == SPAWN:
            return float(np.linalg.norm(snap.agent_pos[0] - self.spawn))
        return super()._distance(snap, target)

    def _done(self, snap: Snapshot) -> bool:
        return super()._done(snap) and self._distance(snap, SPAWN) <= self.threshold
