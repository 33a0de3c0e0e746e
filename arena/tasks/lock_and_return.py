"""Lock and return: lock the box, then come back to within `return_threshold` of the spawn point,
where the shaped reward leads once the box is locked. As upstream the agent has to remember where
it started; with `observe_spawn` it observes the spawn point (`spawn_obs`, relative to itself)."""
from __future__ import annotations

import numpy as np
from gymnasium import spaces

from arena.layouts import Layout
from arena.snapshot import Snapshot
from arena.tasks.lock_boxes import LockBoxes
from scenarios.schema import Scenario


class LockAndReturn(LockBoxes):
    returns = True

    def __init__(self, scenario: Scenario, first: Snapshot, layout: Layout):
        super().__init__(scenario, first, layout)
        self.threshold = scenario.task.return_threshold

    @staticmethod
    def observation_extras(scenario: Scenario) -> dict[str, spaces.Space]:
        if not scenario.task.observe_spawn:
            return {}
        return {"spawn_obs": spaces.Box(-np.inf, np.inf, shape=(2,), dtype=np.float32)}

    def observe(self, snap: Snapshot) -> list[dict[str, np.ndarray]]:
        return [{"spawn_obs": (self.spawn - snap.agent_pos[0]).astype(np.float32)}]

    def _done(self, snap: Snapshot) -> bool:
        return self._locked(snap) and self._distance(snap, None) <= self.threshold
