"""Lidar and vision: pure functions of positions and geometry, for all agents at once (numba).

Occluders are line segments: wall centre lines and the four edges of every box and ramp. A LOW
occluder is ignored when the looking agent (or, for vision, the one looked at) is elevated.
Agents are circles to the lidar and do not block sight."""
from __future__ import annotations

import math

import numpy as np
from numba import njit

from arena.snapshot import LOW

class Occluders:
    """Segments that stop rays and sight this step: walls, then object edges."""
    __slots__ = ("seg", "low", "owner")

    def __init__(self, walls: np.ndarray, obj_edges: np.ndarray):
        n_obj = len(obj_edges) // 4
        self.seg = np.ascontiguousarray(np.concatenate([walls[:, :4], obj_edges]))
        self.low = np.concatenate([walls[:, 4] == LOW, np.ones(len(obj_edges), dtype=bool)])
        self.owner = np.concatenate([np.full(len(walls), -1, np.int64), np.repeat(np.arange(n_obj), 4)])


@njit(cache=True)
def _lidar(pos, elevated, radius, cos_a, sin_a, seg, low, max_range, out):
    n_agents, n_rays, n_seg = pos.shape[0], cos_a.shape[0], seg.shape[0]
    for i in range(n_agents):
        ox, oy = pos[i, 0], pos[i, 1]
        for r in range(n_rays):
            dx, dy = cos_a[r], sin_a[r]
            best = max_range
            for s in range(n_seg):
                if elevated[i] and low[s]:
                    continue
                ex, ey = seg[s, 2] - seg[s, 0], seg[s, 3] - seg[s, 1]
                denom = dx * ey - dy * ex
                if abs(denom) < 1e-12:
                    continue
                wx, wy = seg[s, 0] - ox, seg[s, 1] - oy
                t = (wx * ey - wy * ex) / denom
                u = (wx * dy - wy * dx) / denom
                if 0.0 <= t < best and 0.0 <= u <= 1.0:
                    best = t
            for j in range(n_agents):
                if j == i:
                    continue
                fx, fy = pos[j, 0] - ox, pos[j, 1] - oy
                tc = fx * dx + fy * dy
                if tc <= 0.0:
                    continue
                d2 = fx * fx + fy * fy - tc * tc
                if d2 > radius * radius:
                    continue
                t = tc - math.sqrt(radius * radius - d2)
                if 0.0 <= t < best:
                    best = t
            out[i, r] = best


@njit(cache=True)
def _vision(pos, heading, elevated, half_angle, max_range, targets, target_elevated, target_owner,
            seg, low, owner, out):
    cos_half = math.cos(half_angle)
    for i in range(pos.shape[0]):
        ox, oy = pos[i, 0], pos[i, 1]
        hx, hy = math.cos(heading[i]), math.sin(heading[i])
        for j in range(targets.shape[0]):
            rx, ry = targets[j, 0] - ox, targets[j, 1] - oy
            dist = math.sqrt(rx * rx + ry * ry)
            if dist > max_range or dist < 1e-9 or (rx * hx + ry * hy) < cos_half * dist:
                out[i, j] = False
                continue
            over_low = elevated[i] or target_elevated[j]
            seen = True
            for s in range(seg.shape[0]):
                if owner[s] >= 0 and owner[s] == target_owner[j]:
                    continue
                if over_low and low[s]:
                    continue
                ex, ey = seg[s, 2] - seg[s, 0], seg[s, 3] - seg[s, 1]
                denom = rx * ey - ry * ex
                if abs(denom) < 1e-12:
                    continue
                wx, wy = seg[s, 0] - ox, seg[s, 1] - oy
                t = (wx * ey - wy * ex) / denom
                u = (wx * ry - wy * rx) / denom
                if 0.0 <= t <= 1.0 and 0.0 <= u <= 1.0:
                    seen = False
                    break
            out[i, j] = seen


def lidar(pos, elevated, radius, angles, occ: Occluders, max_range) -> np.ndarray:
    out = np.empty((len(pos), len(angles)), dtype=np.float32)
    _lidar(pos, elevated, radius, np.cos(angles), np.sin(angles), occ.seg, occ.low, max_range, out)
    return out


def vision(pos, heading, elevated, half_angle, max_range, targets, target_elevated, target_owner,
           occ: Occluders) -> np.ndarray:
    """(A, T) bool: target j is inside agent i's cone and range with a clear line of sight.
    `target_owner[j]` names the object whose own edges do not hide it (-1 for agents)."""
    out = np.empty((len(pos), len(targets)), dtype=np.bool_)
    _vision(pos, heading, elevated, half_angle, max_range, np.ascontiguousarray(targets), target_elevated,
            target_owner, occ.seg, occ.low, occ.owner, out)
    return out
