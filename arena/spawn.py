"""Where entities appear at reset: rejection sampling inside a spawn region, clear of walls and of
each other."""
from __future__ import annotations

import numpy as np

from arena.geometry import segment_distance
from arena.layouts import Layout

CLEARANCE = 0.05
TRIES = 2000


def _inside(point, rect, pad=0.0) -> bool:
    x0, y0, x1, y1 = rect
    return x0 - pad <= point[0] <= x1 + pad and y0 - pad <= point[1] <= y1 + pad


def place(rng: np.random.Generator, layout: Layout, size: float, wall_half: float,
          radii: list[float], regions: list[str]) -> np.ndarray:
    """Positions (N, 2) for entities of bounding radius `radii`, each in its region
    ('anywhere', 'room' or 'outside' the hiders' room)."""
    placed: list[tuple[np.ndarray, float]] = []
    for radius, region in zip(radii, regions):
        rect = layout.room if region == "room" and layout.room else (0.0, 0.0, size, size)
        lo = np.array(rect[:2]) + radius + wall_half
        hi = np.array(rect[2:]) - radius - wall_half
        for _ in range(TRIES):
            p = rng.uniform(lo, hi)
            if region == "outside" and layout.room and _inside(p, layout.room, radius + wall_half):
                continue
            if len(layout.walls) and segment_distance(p[None], layout.walls[:, :4]).min() < radius + wall_half + CLEARANCE:
                continue
            if any(np.linalg.norm(p - q) < radius + r + CLEARANCE for q, r in placed):
                continue
            placed.append((p, radius))
            break
        else:
            raise RuntimeError(f"cannot place an entity of radius {radius:.2f} m in region '{region}': "
                               "the scenario puts too many things in too little space")
    return np.array([p for p, _ in placed]).reshape(-1, 2)
