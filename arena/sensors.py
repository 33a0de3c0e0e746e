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
    """Segment table of one episode: the walls, then four rows per object refilled every step."""
    __slots__ = ("seg", "low", "owner", "n_walls")

    def __init__(self, walls: np.ndarray, n_objects: int):
        self.n_walls = len(walls)
        self.seg = np.zeros((len(walls) + 4 * n_objects, 4))
        self.seg[:len(walls)] = walls[:, :4]
        self.low = np.concatenate([walls[:, 4] == LOW, np.ones(4 * n_objects, dtype=np.bool_)])
        self.owner = np.concatenate([np.full(len(walls), -1, np.int64), np.repeat(np.arange(n_objects), 4)])


@njit(cache=True)
def fill_edges(seg, first, obj_pos, obj_angle, obj_half):
    """Write the four edges of every oriented rectangle into seg[first:], counter-clockwise."""
    for k in range(obj_pos.shape[0]):
        c, s = math.cos(obj_angle[k]), math.sin(obj_angle[k])
        hx, hy = obj_half[k, 0], obj_half[k, 1]
        for e in range(4):
            for end in range(2):
                corner = (e + end) % 4
                lx = hx if corner == 0 or corner == 3 else -hx
                ly = hy if corner < 2 else -hy
                seg[first + 4 * k + e, 2 * end] = obj_pos[k, 0] + c * lx - s * ly
                seg[first + 4 * k + e, 2 * end + 1] = obj_pos[k, 1] + s * lx + c * ly


@njit(cache=True)
def _ray_hits_segment(ox, oy, dx, dy, seg, s):
    """Distance along the ray (o, d) to segment s, or -1 when it misses."""
    ex, ey = seg[s, 2] - seg[s, 0], seg[s, 3] - seg[s, 1]
    denom = dx * ey - dy * ex
    if abs(denom) < 1e-12:
        return -1.0
    wx, wy = seg[s, 0] - ox, seg[s, 1] - oy
    t = (wx * ey - wy * ex) / denom
    u = (wx * dy - wy * dx) / denom
    if t >= 0.0 and 0.0 <= u <= 1.0:
        return t
    return -1.0


@njit(cache=True)
def _lidar(pos, elevated, radius, cos_a, sin_a, seg, low, max_range, out):
    """Segment by segment, each ray keeping its nearest hit; what depends only on the agent and
    the segment is worked out once, outside the ray loop."""
    n_agents, n_rays, n_seg = pos.shape[0], cos_a.shape[0], seg.shape[0]
    for i in range(n_agents):
        ox, oy = pos[i, 0], pos[i, 1]
        best = out[i]
        best[:] = max_range
        for s in range(n_seg):
            if elevated[i] and low[s]:
                continue
            ex, ey = seg[s, 2] - seg[s, 0], seg[s, 3] - seg[s, 1]
            wx, wy = seg[s, 0] - ox, seg[s, 1] - oy
            along = wx * ey - wy * ex
            for r in range(n_rays):
                dx, dy = cos_a[r], sin_a[r]
                denom = dx * ey - dy * ex
                if denom == 0.0:
                    continue
                t = along / denom
                if t < 0.0 or t >= best[r]:
                    continue
                u = (wx * dy - wy * dx) / denom
                if 0.0 <= u <= 1.0:
                    best[r] = t
        for j in range(n_agents):
            if j == i:
                continue
            fx, fy = pos[j, 0] - ox, pos[j, 1] - oy
            f2 = fx * fx + fy * fy
            for r in range(n_rays):
                tc = fx * cos_a[r] + fy * sin_a[r]
                d2 = f2 - tc * tc
                if tc <= 0.0 or d2 > radius * radius:
                    continue
                t = tc - math.sqrt(radius * radius - d2)
                if 0.0 <= t < best[r]:
                    best[r] = t


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
            out[i, j] = False
            if dist > max_range or dist < 1e-9 or (rx * hx + ry * hy) < cos_half * dist:
                continue
            over_low = elevated[i] or target_elevated[j]
            seen = True
            for s in range(seg.shape[0]):
                if (owner[s] >= 0 and owner[s] == target_owner[j]) or (over_low and low[s]):
                    continue
                t = _ray_hits_segment(ox, oy, rx, ry, seg, s)
                if 0.0 <= t <= 1.0:
                    seen = False
                    break
            out[i, j] = seen


@njit(cache=True)
def _sense(agent_pos, heading, elevated, radius, half_angle, vision_range, obj_pos, obj_angle, obj_half,
           seg, n_walls, low, owner, cos_a, sin_a, lidar_range, sees_agent, sees_obj, lidar):
    fill_edges(seg, n_walls, obj_pos, obj_angle, obj_half)
    no_owner = np.full(agent_pos.shape[0], -1, np.int64)
    _vision(agent_pos, heading, elevated, half_angle, vision_range, agent_pos, elevated, no_owner,
            seg, low, owner, sees_agent)
    for i in range(agent_pos.shape[0]):
        sees_agent[i, i] = False
    grounded = np.zeros(obj_pos.shape[0], np.bool_)
    _vision(agent_pos, heading, elevated, half_angle, vision_range, obj_pos, grounded,
            np.arange(obj_pos.shape[0]), seg, low, owner, sees_obj)
    _lidar(agent_pos, elevated, radius, cos_a, sin_a, seg, low, lidar_range, lidar)


def sense(static, occ: Occluders, agent_pos, heading, elevated, obj_pos, obj_angle):
    """sees_agent (A, A), sees_obj (A, O) and lidar (A, R) for one moment of the world."""
    n_agents, n_objects, n_rays = len(agent_pos), len(obj_pos), len(static.lidar_angles)
    sees_agent = np.empty((n_agents, n_agents), np.bool_)
    sees_obj = np.empty((n_agents, n_objects), np.bool_)
    lidar = np.empty((n_agents, n_rays), np.float32)
    _sense(agent_pos, heading, elevated, static.agent_radius, static.vision_half_angle, static.vision_range,
           obj_pos, obj_angle, static.obj_half, occ.seg, occ.n_walls, occ.low, occ.owner,
           static.lidar_cos, static.lidar_sin, static.lidar_range, sees_agent, sees_obj, lidar)
    return sees_agent, sees_obj, lidar
