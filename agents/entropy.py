"""A floor under a team's policy entropy: with `entropy_target: {team: H}`, after each update that team's
entropy coefficient is multiplied by exp(`entropy_target_rate` × (H − entropy)), never below
`ent_coef`: it rises while the entropy is below H and falls back once it is above. A Lagrange
multiplier for "entropy at least H", as SAC tunes its temperature. `{team: {k: H_k, ...}}` puts a
floor under single action components instead, each with its own coefficient on its own entropy (a
binary grab can stop exploring while the movement components, which carry most of the entropy,
still do). It holds while a curriculum is short of its last stage (the whole run without a
curriculum), so a team keeps exploring through the placements it is taught on and may commit once
it plays the game itself."""
from __future__ import annotations

import numpy as np


class EntropyFloor:
    def __init__(self, target: float | dict[int, float], rate: float, base: float, components: int):
        self.parts = sorted(target) if isinstance(target, dict) else None
        self.target = np.array([target[k] for k in self.parts] if self.parts else [target], dtype=float)
        self.rate, self.base, self.components = rate, base, components
        self.log_scale = np.zeros(len(self.target))

    @property
    def coef(self) -> float | list[float]:
        """The whole policy's entropy coefficient, or one per action component."""
        scaled = self.base * np.exp(self.log_scale)
        if self.parts is None:
            return float(scaled[0])
        coefs = np.full(self.components, self.base)
        coefs[self.parts] = scaled
        return coefs.tolist()

    def logged(self) -> dict[str, float]:
        coef = self.coef
        return {"ent_coef": coef} if self.parts is None else {f"ent_coef_{k}": coef[k] for k in self.parts}

    def update(self, stats: dict, holding: bool):
        """Adjust the coefficients after an update with these statistics (`entropy`, `entropy_k`)."""
        keys = ["entropy"] if self.parts is None else [f"entropy_{k}" for k in self.parts]
        entropy = np.array([stats[key] for key in keys])
        self.log_scale = np.maximum(0.0, self.log_scale + self.rate * (self.target - entropy)) if holding else np.zeros_like(entropy)

    def state_dict(self) -> dict:
        return {"log_scale": self.log_scale.tolist()}

    def load_state_dict(self, state: dict):
        log_scale = np.atleast_1d(np.asarray(state["log_scale"], dtype=float))  # one float before floors per component
        if log_scale.shape != self.log_scale.shape:
            raise ValueError(f"the checkpoint's entropy floor has {len(log_scale)} coefficient(s), this run's "
                             f"{len(self.log_scale)}")
        self.log_scale = log_scale
