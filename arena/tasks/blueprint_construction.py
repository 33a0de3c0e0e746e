"""Blueprint construction, as upstream's construction_dense and construction_completed rewards with
use_corners: push square boxes onto the target sites (`layout.sites`). Every step each agent gets
-dense_scale x the mean, over all site corners, of a smooth minimum over all box corners of their
distance. Once every site has a box centre within site_activation_radius of its centre and each site
corner a box corner within it, the episode ends with completion x sites. Agents observe the sites
(`construction_site_obs`, relative to themselves, masked by `mask_acs_obs`)."""
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
        """(site corners, box corners) distances, sites and boxes in order, four corners each."""
        k = self.boxes
        box = corners(snap.obj_pos[k], snap.obj_angle[k], snap.static.obj_half[k]).reshape(-1, 2)
        return np.linalg.norm(self.site_corners.reshape(-1, 1, 2) - box[None], axis=-1)

    def step(self, snap: Snapshot) -> np.ndarray:
        spec, radius = self.spec, self.spec.site_activation_radius
        d = self.corner_distance(snap)
        reward = -spec.dense_scale * smooth_min(d, spec.smooth_min_alpha, axis=1).mean()
        centred = np.linalg.norm(self.sites[:, None] - snap.obj_pos[self.boxes][None], axis=-1).min(axis=1) < radius
        aligned = (d.min(axis=1) < radius).reshape(-1, 4).all(axis=1)
        self.filled = int((centred & aligned).sum())
        if self.terminated(snap):
            reward += spec.completion * len(self.sites)
        return np.full(self.n_agents, reward)

    def terminated(self, snap: Snapshot) -> bool:
        return self.filled == len(self.sites)

    def episode_stats(self, last: Snapshot) -> dict[str, float]:
        return {"sites": float(len(self.sites)), "sites_filled": float(self.filled),
                "complete": float(self.terminated(last))}
