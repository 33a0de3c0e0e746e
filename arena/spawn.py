"""Where entities appear at reset: rejection sampling inside a spawn region, clear of walls and of
each other. Candidates are drawn in batches from the episode's generator; the first clear one wins."""
from __future__ import annotations

import math

import numpy as np
from numba import njit

from arena.layouts import Layout
from scenarios.errors import InputError

CLEARANCE = 0.05
BATCH, ROUNDS, RESTARTS = 64, 40, 20
ANYWHERE, ROOM, OUTSIDE, EACH_ROOM = 0, 1, 2, 3
REGION_CODES = {"anywhere": ANYWHERE, "room": ROOM, "outside": OUTSIDE, "each_room": EACH_ROOM}


class SpawnError(InputError, RuntimeError):
    """The scenario puts more in a region than fits there. A RuntimeError too: callers that can fall
    back to a plainer spawn catch it as one."""


@njit(cache=True)
def _segment_gap(x, y, walls):
    best = np.inf
    for s in range(walls.shape[0]):
        ax, ay, bx, by = walls[s, 0], walls[s, 1], walls[s, 2], walls[s, 3]
        ex, ey = bx - ax, by - ay
        t = ((x - ax) * ex + (y - ay) * ey) / max(ex * ex + ey * ey, 1e-12)
        t = min(max(t, 0.0), 1.0)
        best = min(best, math.hypot(ax + t * ex - x, ay + t * ey - y))
    return best


@njit(cache=True)
def _place_from(start, unit, radii, regions, rects, room, has_room, wall_half, walls, cylinder, positions):
    """Place entities start.. from the unit-square candidates unit[n - start], entity n inside
    rects[n] and outside the cylinder (x, y, radius; radius 0: none), whose walls close it: whatever
    appeared inside would stay shut in; return the first entity none of whose candidates was clear
    (len(radii) when all were placed)."""
    for n in range(start, radii.shape[0]):
        r = radii[n]
        x0, y0, x1, y1 = rects[n, 0], rects[n, 1], rects[n, 2], rects[n, 3]
        pad = r + wall_half
        placed = False
        for c in range(unit.shape[1]):
            x = x0 + pad + unit[n - start, c, 0] * (x1 - x0 - 2 * pad)
            y = y0 + pad + unit[n - start, c, 1] * (y1 - y0 - 2 * pad)
            if regions[n] == OUTSIDE and has_room and (room[0] - pad < x < room[2] + pad) \
                    and (room[1] - pad < y < room[3] + pad):
                continue
            if _segment_gap(x, y, walls) < pad + CLEARANCE:
                continue
            if math.hypot(x - cylinder[0], y - cylinder[1]) < cylinder[2]:
                continue
            clear = True
            for m in range(n):
                if math.hypot(x - positions[m, 0], y - positions[m, 1]) < r + radii[m] + CLEARANCE:
                    clear = False
                    break
            if clear:
                positions[n, 0], positions[n, 1] = x, y
                placed = True
                break
        if not placed:
            return n
    return radii.shape[0]


def place(rng: np.random.Generator, layout: Layout, size: float, wall_half: float,
          radii: list[float], regions: list[str], placed: np.ndarray | None = None,
          within: dict[int, np.ndarray] | None = None) -> np.ndarray:
    """Positions (N, 2) for entities of bounding radius `radii`, each in its region
    ('anywhere', 'room', 'outside' the hiders' room, or 'each_room': the k-th such entity in room k mod rooms).
    The first len(placed) entities are already at `placed`; the others keep clear of them. `within`
    narrows entity n's region to the part of it inside the rectangle within[n] (x0, y0, x1, y1) that
    its bounding circle can reach. Entities are placed in order; when one finds no room next to
    those before it, all start again."""
    n = len(radii)
    radii_arr = np.asarray(radii, dtype=np.float64)
    codes = np.array([REGION_CODES[r] for r in regions], dtype=np.int64)
    room = np.asarray(layout.room if layout.room else (0.0, 0.0, size, size), dtype=np.float64)
    rects = np.tile(np.array([0.0, 0.0, size, size]), (n, 1))
    rects[codes == ROOM] = room
    dealt = np.flatnonzero(codes == EACH_ROOM)
    if len(dealt):
        rects[dealt] = np.asarray(layout.rooms)[np.arange(len(dealt)) % len(layout.rooms)]
    for k, rect in (within or {}).items():
        pad = radii_arr[k] + wall_half
        lo = np.clip(rect[:2] - pad, rects[k, :2], rects[k, 2:] - 2 * pad)
        hi = np.clip(rect[2:] + pad, lo + 2 * pad, rects[k, 2:])
        rects[k] = *lo, *hi
    walls = np.ascontiguousarray(layout.walls[:, :4])
    cylinder = np.array(layout.cylinder if layout.cylinder is not None else (0.0, 0.0, 0.0), dtype=np.float64)
    positions = np.zeros((n, 2))
    first = 0 if placed is None else len(placed)
    if first:
        positions[:first] = placed
    for _ in range(RESTARTS):
        start = first
        for _ in range(ROUNDS):
            if start == n:
                return positions
            unit = rng.random((n - start, BATCH, 2))
            start = _place_from(start, unit, radii_arr, codes, rects, room, layout.room is not None, wall_half,
                                walls, cylinder, positions)
        if start == n:
            return positions
    x0, y0, x1, y1 = rects[start]
    raise SpawnError(f"scenario '{layout.scenario}': cannot place entity {start + 1} of {n} (bounding radius "
                     f"{radii[start]:.2f} m) in region '{regions[start]}' ({x1 - x0:.2f} x {y1 - y0:.2f} m) clear "
                     "of walls and of the others: the scenario puts too much in too little space")
