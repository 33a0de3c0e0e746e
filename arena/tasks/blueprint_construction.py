"""Blueprint construction: push square boxes onto the target sites (`layout.sites`). Every step
each agent gets -dense_scale x the sum over sites of a smooth minimum over boxes of the corner
distance; once every site holds a box (corner distance below site_activation_radius) the episode
ends with completion x sites. Corner distance: the mean, over the site's four corners, of the
distance to the nearest corner of the box, so a box a quarter turn round still fits. Agents observe
the sites (`construction_site_obs`, relative to themselves, masked by `mask_acs_obs`)."""
from __future__ import annotations

import numpy as np
from gymnasium import spaces

from arena.layouts import Layout
from arena.snapshot import BOX, Snapshot
from scenarios.schema import Scenario

UNIT_CORNERS = np.array([[1, 1], [-1, 1], [-1, -1], [1, -1]], dtype=np.float64)


def corners(pos: np.ndarray, angle: np.ndarray, half: np.ndarray) -> np.ndarray:
    """(N, 4, 2) corners of oriented rectangles."""
    c, s = np.cos(angle)[:, None], np.sin(angle)[:, None]
    lx, ly = UNIT_CORNERS[None, :, 0] * half[:, None, 0], UNIT_CORNERS[None, :, 1] * half[:, None, 1]
    return np.stack([pos[:, None, 0] + c * lx - s * ly, pos[:, None, 1] + s * lx + c * ly], axis=-1)


def smooth_min(x: np.ndarray, alpha: float, axis: int) -> np.ndarray:
    """sum(x e^(alpha x)) / sum(e^(alpha x)): the minimum as alpha -> -inf, the mean at 0."""
    w = np.exp(alpha * x - (alpha * x).max(axis=axis, keepdims=True))
    return (x * w).sum(axis=axis) / w.sum(axis=axis)


class BlueprintConstruction:
    def __init__(self, scenario: Scenario, first: Snapshot, layout: Layout):
        self.spec = scenario.task
        self.sites = layout.sites
        half = np.full((len(self.sites), 2), scenario.boxes.size / 2)
        self.site_corners = corners(self.sites, np.zeros(len(self.sites)), half)
        st = first.static
        self.boxes = np.flatnonzero((st.obj_kind == BOX) & (st.obj_half[:, 0] == st.obj_half[:, 1]))
        self.n_agents = len(st.agent_team)
        self.slots = scenario.layout.sites.max
        self.filled = 0

    @staticmethod
    def observation_extras(scenario: Scenario) -> dict[str, spaces.Space]:
        slots = scenario.layout.sites.max
        return {"construction_site_obs": spaces.Box(-np.inf, np.inf, shape=(slots, 2), dtype=np.float32),
                "mask_acs_obs": spaces.MultiBinary(slots)}

    def observe(self, snap: Snapshot) -> list[dict[str, np.ndarray]]:
        mask = np.zeros(self.slots, np.int8)
        mask[:len(self.sites)] = 1
        out = []
        for pos in snap.agent_pos:
            rows = np.zeros((self.slots, 2), np.float32)
            rows[:len(self.sites)] = self.sites - pos
            out.append({"construction_site_obs": rows, "mask_acs_obs": mask})
        return out

    def corner_distance(self, snap: Snapshot) -> np.ndarray:
        """(sites, boxes) mean distance from each site corner to the box's nearest corner."""
        k = self.boxes
        box = corners(snap.obj_pos[k], snap.obj_angle[k], snap.static.obj_half[k])
        gaps = np.linalg.norm(self.site_corners[:, None, :, None] - box[None, :, None], axis=-1)
        return gaps.min(axis=3).mean(axis=2)

    def step(self, snap: Snapshot) -> np.ndarray:
        spec = self.spec
        d = self.corner_distance(snap)
        reward = -spec.dense_scale * smooth_min(d, spec.smooth_min_alpha, axis=1).sum()
        self.filled = int((d.min(axis=1) < spec.site_activation_radius).sum())
        if self.terminated(snap):
            reward += spec.completion * len(self.sites)
        return np.full(self.n_agents, reward)

    def terminated(self, snap: Snapshot) -> bool:
        return self.filled == len(self.sites)

    def episode_stats(self, last: Snapshot) -> dict[str, float]:
        return {"sites": float(len(self.sites)), "sites_filled": float(self.filled),
                "complete": float(self.terminated(last))}
