"""Geometry behind the emergence stages: does a team's locked boxes seal a room (or shut one of its
doors), are the hiders walled into a room, did an agent cross a LOW wall while elevated."""
from __future__ import annotations

import math

import numpy as np
from numba import njit

from arena.geometry import point_rect_distance
from arena.layouts import Layout
from arena.snapshot import BOX, LOW, Snapshot

DOOR_SAMPLES = 9


def _on_boundary(door: np.ndarray, room: tuple[float, float, float, float], eps: float = 1e-6) -> bool:
    x0, y0, x1, y1 = room
    (ax, ay), (bx, by) = door[:2], door[2:]
    if abs(ax - bx) < eps:   # a vertical door
        return (abs(ax - x0) < eps or abs(ax - x1) < eps) and min(ay, by) >= y0 - eps and max(ay, by) <= y1 + eps
    return (abs(ay - y0) < eps or abs(ay - y1) < eps) and min(ax, bx) >= x0 - eps and max(ax, bx) <= x1 + eps


def of_room(layout: Layout, room: tuple[float, float, float, float] | None) -> np.ndarray:
    """(D,) bool: which of the layout's doors lead into or out of `room` (none when it is None)."""
    return np.array([room is not None and _on_boundary(d, room) for d in layout.doors], dtype=bool)


def room_doors(layout: Layout, room: tuple[float, float, float, float]) -> np.ndarray:
    return layout.doors[of_room(layout, room)].reshape(-1, 4)


def gap_points(doors: np.ndarray) -> np.ndarray:
    """(D, DOOR_SAMPLES, 2) points evenly spaced along each door's gap, ends included."""
    t = np.linspace(0.0, 1.0, DOOR_SAMPLES)[None, :, None]
    return doors[:, None, :2] * (1 - t) + doors[:, None, 2:] * t


CELL = 0.03   # metres: the grid step of the clearance test


def doors_shut(snap: Snapshot, room: tuple[float, float, float, float], doors: np.ndarray, team: int) -> np.ndarray:
    """(D,) bool: each door of `room` (the others walled up) lets no agent in past the boxes `team`
    has locked (`sealed`)."""
    shut = np.zeros(len(doors), dtype=bool)
    for d in range(len(doors)):
        shut[d] = sealed(snap, room, np.delete(doors, d, axis=0), team)
    return shut


def sealed(snap: Snapshot, room: tuple[float, float, float, float], walled_up: np.ndarray, team: int) -> bool:
    """No path an agent fits through leads from outside `room` onto its floor on the ground: a flood
    fill over a grid of agent centres clear of every wall (and of the door gaps in `walled_up`) by the
    wall's half thickness plus an agent's radius, and of every box `team` has locked (at any angle)
    by an agent's radius. Unlocked boxes and ramps can be pushed aside and block nothing. The fill
    starts from a band around the room farther out than any locked box can reach, so that boxes
    locked outside a door, with a pocket behind them, shut it too."""
    st = snap.static
    boxes = (st.obj_kind == BOX) & (snap.obj_lock == team)
    reach = 2 * float(np.hypot(*st.obj_half.T).max(initial=0.0)) + 2 * st.agent_radius + 2 * CELL
    walls = np.concatenate([st.walls[:, :4], np.asarray(walled_up, dtype=np.float64).reshape(-1, 4)])
    return not _leaks(np.asarray(room, dtype=np.float64), reach, walls, st.wall_half_thickness, st.agent_radius,
                      snap.obj_pos[boxes], snap.obj_angle[boxes], st.obj_half[boxes])


@njit(cache=True)
def _segment_distance(x, y, ax, ay, bx, by):
    ex, ey = bx - ax, by - ay
    t = min(max(((x - ax) * ex + (y - ay) * ey) / max(ex * ex + ey * ey, 1e-12), 0.0), 1.0)
    return math.hypot(ax + t * ex - x, ay + t * ey - y)


@njit(cache=True)
def _leaks(room, reach, walls, wall_half, radius, pos, angle, half):
    x0, y0 = room[0] - reach - CELL, room[1] - reach - CELL
    nx = int((room[2] - room[0] + 2 * reach) / CELL) + 3
    ny = int((room[3] - room[1] + 2 * reach) / CELL) + 3
    state = np.zeros((nx, ny), dtype=np.int8)   # 0 blocked, 1 free, 2 reached from outside
    stack = np.empty((nx * ny, 2), dtype=np.int64)
    top = 0
    for i in range(nx):
        for j in range(ny):
            x, y = x0 + (i + 0.5) * CELL, y0 + (j + 0.5) * CELL
            free = True
            for w in range(walls.shape[0]):
                if _segment_distance(x, y, walls[w, 0], walls[w, 1], walls[w, 2], walls[w, 3]) <= wall_half + radius:
                    free = False
                    break
            for k in range(pos.shape[0]):
                if free and point_rect_distance(x, y, pos, angle, half, k) <= radius:
                    free = False
            if free:
                far = x < room[0] - reach or x > room[2] + reach or y < room[1] - reach or y > room[3] + reach
                state[i, j] = 2 if far else 1
                if far:
                    stack[top, 0], stack[top, 1] = i, j
                    top += 1
    while top:
        top -= 1
        i, j = stack[top, 0], stack[top, 1]
        x, y = x0 + (i + 0.5) * CELL, y0 + (j + 0.5) * CELL
        if room[0] < x < room[2] and room[1] < y < room[3]:
            return True
        for di, dj in ((1, 0), (-1, 0), (0, 1), (0, -1)):
            a, b = i + di, j + dj
            if 0 <= a < nx and 0 <= b < ny and state[a, b] == 1:
                state[a, b] = 2
                stack[top, 0], stack[top, 1] = a, b
                top += 1
    return False


def door_cover(snap: Snapshot, points: np.ndarray, team: int) -> np.ndarray:
    """(D, 2): the share of each door's `gap_points` closer than an agent's diameter to a box `team`
    has locked, and to any box."""
    st = snap.static
    out = np.zeros((len(points), 2))
    _cover(points, snap.obj_pos, snap.obj_angle, st.obj_half, st.obj_kind, snap.obj_lock, team,
           2 * st.agent_radius, out)
    return out


@njit(cache=True)
def _cover(points, pos, angle, half, kind, lock, team, reach, out):
    for d in range(points.shape[0]):
        for i in range(points.shape[1]):
            by_team = by_any = False
            for k in range(pos.shape[0]):
                if kind[k] == BOX and point_rect_distance(points[d, i, 0], points[d, i, 1], pos, angle, half, k) < reach:
                    by_any = True
                    by_team |= lock[k] == team
            out[d, 0] += by_team
            out[d, 1] += by_any
    out /= points.shape[1]


def room_centre(room: tuple[float, float, float, float]) -> np.ndarray:
    return np.array([(room[0] + room[2]) / 2, (room[1] + room[3]) / 2])


def inside(points: np.ndarray, room: tuple[float, float, float, float]) -> np.ndarray:
    x0, y0, x1, y1 = room
    return (points[:, 0] > x0) & (points[:, 0] < x1) & (points[:, 1] > y0) & (points[:, 1] < y1)


def fort(snap: Snapshot, layout: Layout, members: np.ndarray, team: int) -> bool:
    """Every member is inside one room that has doors, and the team's locked boxes seal it (`sealed`)."""
    for room in layout.rooms:
        if len(room_doors(layout, room)) and inside(snap.agent_pos[members], room).all() \
                and sealed(snap, room, np.zeros((0, 4)), team):
            return True
    return False


def crosses_low_wall(start: np.ndarray, end: np.ndarray, walls: np.ndarray) -> bool:
    """Does the straight path start -> end cut a LOW wall?"""
    low = walls[walls[:, 4] == LOW]
    if not len(low):
        return False
    a, b = low[:, 0:2], low[:, 2:4]
    d, e = end - start, b - a

    def cross(u, v):
        return u[..., 0] * v[..., 1] - u[..., 1] * v[..., 0]

    denom = cross(d, e)
    ok = np.abs(denom) > 1e-12
    safe = np.where(ok, denom, 1.0)
    t = cross(a - start, e) / safe
    u = cross(a - start, d) / safe
    return bool((ok & (t >= 0) & (t <= 1) & (u >= 0) & (u <= 1)).any())
