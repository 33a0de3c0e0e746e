"""A curriculum of env options: each `key: [start, ..., end]` of `cfg.curriculum` moves through its
waypoints (evenly spaced over the stages, linear between them) in `curriculum_stages` stages and
reaches every env reset as `options={"overrides": {key: value}}`. A key whose waypoints are all
integers (such as `horizon`) takes whole values, rounded.

Without a gate the stage follows the fraction of training done, the last one reached at
`curriculum_until`. With a gate (a logged metric such as `episode/fort_prep`) the next stage comes
only once that metric has averaged at least `curriculum_gate_min` over the last
`curriculum_gate_updates` updates (long enough that a few lucky updates do not pass it), so the
task gets harder as fast as the agents learn; at `curriculum_until` the last stage is taken
whatever the metric says. With `curriculum_floor` the gate may run ahead of the ungated schedule but
never more than `curriculum_floor_lag` stages behind it, so stages it holds back are taken one by one
as the schedule passes them rather than all at once at `curriculum_until`."""
from __future__ import annotations

from collections import deque

import numpy as np


class Curriculum:
    def __init__(self, cfg):
        self.ends, self.until = cfg.curriculum, cfg.curriculum_until
        self.gate, self.gate_min = cfg.curriculum_gate, cfg.curriculum_gate_min
        self.stages, self.floor, self.lag = cfg.curriculum_stages, cfg.curriculum_floor, cfg.curriculum_floor_lag
        self.stage = 0
        self.recent: deque = deque(maxlen=cfg.curriculum_gate_updates)

    def values(self) -> dict[str, float | int]:
        level = self.stage / self.stages
        values = {}
        for key, points in self.ends.items():
            value = float(np.interp(level, np.linspace(0, 1, len(points)), points))
            values[key] = round(value) if all(isinstance(v, int) for v in points) else value
        return values

    def advance(self, progress: float, metrics: dict) -> bool:
        """Move on after an update; True when the values changed."""
        before = self.stage
        scheduled = min(int(progress / self.until * self.stages), self.stages)
        if not self.gate:
            self.stage = scheduled
            return self.stage != before
        if self.gate in metrics and self.stage < self.stages:
            self.recent.append(metrics[self.gate])
            if len(self.recent) == self.recent.maxlen and np.mean(self.recent) >= self.gate_min:
                self.stage += 1
                self.recent.clear()
        floor = scheduled if scheduled == self.stages else scheduled - self.lag if self.floor else 0
        if floor > self.stage:
            self.stage = floor
            self.recent.clear()
        return self.stage != before

    def state_dict(self) -> dict:
        return {"stage": self.stage, "recent": list(self.recent)}

    def load_state_dict(self, state: dict):
        self.stage = int(state["stage"])
        self.recent.extend(state["recent"])
