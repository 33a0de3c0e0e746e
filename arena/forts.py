"""Geometry behind the emergence stages: is a door shut by a team's locked boxes, are the hiders
walled into a room, did an agent cross a LOW wall while elevated."""
from __future__ import annotations

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


def doors_shut(snap: Snapshot, doors: np.ndarray, team: int) -> np.ndarray:
    """(D,) bool: no agent fits through the door past the boxes `team` has locked: every point of
    the gap is closer than an agent's diameter to one of those boxes."""
    return door_cover(snap, gap_points(doors), team)[:, 0] == 1.0


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
    """Every member is inside one room that has doors, and every door of it is shut by the team."""
    for room in layout.rooms:
        doors = room_doors(layout, room)
        if len(doors) and inside(snap.agent_pos[members], room).all() and doors_shut(snap, doors, team).all():
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
