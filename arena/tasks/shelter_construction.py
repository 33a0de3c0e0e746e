"""Shelter construction: hide the cylinder (`layout.cylinder`) from view. As upstream's
ShelterRewardWrapper, `rays_per_side` rays start along each side of the play area, a little over
one layout cell in from the edge, and aim at the cylinder's centre; every step each agent gets
ray_penalty x the number of them that reach its surface without crossing a box, a ramp or an agent.
With `observe_rays`, every agent also observes which of the rays reach it (`shelter_rays_obs`, 1 per
ray that does), the exposure its reward counts."""
from __future__ import annotations

import numpy as np
from gymnasium import spaces

from arena.layouts import Layout
from arena.sensors import fill_edges
from arena.snapshot import Snapshot
from scenarios.schema import Scenario


def edge_rays(size: float, cell: float, per_side: int, centre: np.ndarray, radius: float) -> np.ndarray:
    """(4 per_side, 4) segments x0, y0, x1, y1 to the circle's surface from upstream's start points:
    1.01 cells in from each edge, the k-th at k / per_side of the way along its side, going round."""
    lo, hi = 1.01 * cell, size - 1.01 * cell
    along = lo + np.arange(per_side) / per_side * (hi - lo)
    back = hi + lo - along
    low, high = np.full(per_side, lo), np.full(per_side, hi)
    starts = np.concatenate([np.column_stack(p) for p in ((along, low), (high, along), (back, high), (low, back))])
    towards = centre - starts
    ends = centre - radius * towards / np.linalg.norm(towards, axis=1, keepdims=True)
    return np.column_stack([starts, ends])


def crossed(rays: np.ndarray, segments: np.ndarray) -> np.ndarray:
    """(R,) whether each ray segment crosses any of the segments."""
    p, r = rays[:, None, :2], (rays[:, 2:] - rays[:, :2])[:, None]
    q, s = segments[None, :, :2], (segments[:, 2:] - segments[:, :2])[None]
    denom = r[..., 0] * s[..., 1] - r[..., 1] * s[..., 0]
    w = q - p
    with np.errstate(divide="ignore", invalid="ignore"):
        t = (w[..., 0] * s[..., 1] - w[..., 1] * s[..., 0]) / denom
        u = (w[..., 0] * r[..., 1] - w[..., 1] * r[..., 0]) / denom
    return ((denom != 0) & (t >= 0) & (t <= 1) & (u >= 0) & (u <= 1)).any(axis=1)


def through_discs(rays: np.ndarray, centres: np.ndarray, radius: float) -> np.ndarray:
    """(R,) whether each ray segment passes within `radius` of any of the centres."""
    a, d = rays[:, None, :2], (rays[:, 2:] - rays[:, :2])[:, None]
    t = np.clip(((centres[None] - a) * d).sum(-1) / np.maximum((d * d).sum(-1), 1e-12), 0.0, 1.0)
    return (np.linalg.norm(a + t[..., None] * d - centres[None], axis=-1) < radius).any(axis=1)


class ShelterConstruction:
    def __init__(self, scenario: Scenario, first: Snapshot, layout: Layout):
        self.spec = scenario.task
        x, y, radius = layout.cylinder
        cell = scenario.world.size / scenario.world.grid
        self.rays = edge_rays(first.static.size, cell, self.spec.rays_per_side, np.array([x, y]), radius)
        self.edges = np.zeros((4 * len(first.obj_pos), 4))
        self.n_agents = len(first.static.agent_team)
        self.reaching: list[int] = []
        self._seen: tuple[Snapshot | None, np.ndarray] = (None, np.zeros(0, bool))

    @staticmethod
    def observation_extras(scenario: Scenario) -> dict[str, spaces.Space]:
        if not scenario.task.observe_rays:
            return {}
        return {"shelter_rays_obs": spaces.Box(0.0, 1.0, shape=(4 * scenario.task.rays_per_side,), dtype=np.float32)}

    def reaching_mask(self, snap: Snapshot) -> np.ndarray:
        """(rays,) whether each ray reaches the cylinder; computed once per snapshot."""
        if self._seen[0] is not snap:
            fill_edges(self.edges, 0, snap.obj_pos, snap.obj_angle, snap.static.obj_half)
            blocked = crossed(self.rays, self.edges) | through_discs(self.rays, snap.agent_pos,
                                                                      snap.static.agent_radius)
            self._seen = (snap, ~blocked)
        return self._seen[1]

    def step(self, snap: Snapshot) -> np.ndarray:
        self.reaching.append(int(self.reaching_mask(snap).sum()))
        return np.full(self.n_agents, self.spec.ray_penalty * self.reaching[-1])

    def observe(self, snap: Snapshot) -> list[dict[str, np.ndarray]]:
        rays = self.reaching_mask(snap).astype(np.float32)
        return [{"shelter_rays_obs": rays} for _ in range(self.n_agents)]

    def terminated(self, snap: Snapshot) -> bool:
        return False

    def episode_stats(self, last: Snapshot) -> dict[str, float]:
        return {"rays_reaching": float(self.reaching[-1]), "rays_reaching_start": float(self.reaching[0]),
                "rays_reaching_mean": float(np.mean(self.reaching)),
                "rays": float(len(self.rays))}
