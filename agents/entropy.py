"""A floor under a team's policy entropy: with `entropy_target: {team: H}`, after each update that team's
entropy coefficient is multiplied by exp(`entropy_target_rate` × (H − entropy)), never below
`ent_coef`: it rises while the entropy is below H and falls back once it is above. A Lagrange
multiplier for "entropy at least H", as SAC tunes its temperature. It holds while a curriculum is
short of its last stage (the whole run without a curriculum), so a team keeps exploring through the
placements it is taught on and may commit once it plays the game itself."""
from __future__ import annotations

import math


class EntropyFloor:
    def __init__(self, target: float, rate: float, base: float):
        self.target, self.rate, self.base = target, rate, base
        self.log_scale = 0.0

    @property
    def coef(self) -> float:
        return self.base * math.exp(self.log_scale)

    def update(self, entropy: float, holding: bool) -> float:
        """Adjust the coefficient after an update whose policy had this entropy; returns it."""
        self.log_scale = max(0.0, self.log_scale + self.rate * (self.target - entropy)) if holding else 0.0
        return self.coef

    def state_dict(self) -> dict:
        return {"log_scale": self.log_scale}

    def load_state_dict(self, state: dict):
        self.log_scale = float(state["log_scale"])
