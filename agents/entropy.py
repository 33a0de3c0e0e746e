"""A floor under a team's policy entropy: `entropy_target: {team: H}` raises that team's entropy
coefficient, multiplicatively from `ent_coef`, by `entropy_target_rate` per update and unit of entropy
below H, and lowers it back (never under `ent_coef`) once the entropy is above H: a Lagrange
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
        """The coefficient for the next update, after one whose policy had this entropy."""
        self.log_scale = max(0.0, self.log_scale + self.rate * (self.target - entropy)) if holding else 0.0
        return self.coef

    def state_dict(self) -> dict:
        return {"log_scale": self.log_scale}

    def load_state_dict(self, state: dict):
        self.log_scale = float(state["log_scale"])
