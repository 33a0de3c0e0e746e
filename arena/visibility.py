"""The part of the floor an agent sees: its vision cone cut off by the occluders of
`arena.sensors` (a visibility polygon, found by casting rays at every occluder end inside the cone).

The polygon agrees with `sensors.sense` about every target on the ground: a grounded agent is
seen exactly when its centre lies inside the polygon of the one looking. An elevated viewer's
polygon ignores LOW occluders as the sensors do; the sensors also let a grounded viewer see an
elevated target over a LOW occluder, which a floor polygon cannot show."""
from __future__ import annotations

import numpy as np

from arena.sensors import Occluders, fill_edges

ARC_RAYS = 48
EDGE_NUDGE = 1e-5   # radians either side of an occluder's end, to see past it and stop at it


def occluders(static, obj_pos: np.ndarray, obj_angle: np.ndarray) -> Occluders:
    occ = Occluders(np.asarray(static.walls, dtype=np.float64), len(obj_pos))
    fill_edges(occ.seg, occ.n_walls, np.asarray(obj_pos, np.float64), np.asarray(obj_angle, np.float64),
               np.asarray(static.obj_half, np.float64))
    return occ


def ray_lengths(origin: np.ndarray, directions: np.ndarray, seg: np.ndarray, limit: float) -> np.ndarray:
    """Distance along each unit direction (N, 2) from origin to the nearest segment, at most limit."""
    e = seg[:, 2:] - seg[:, :2]
    w = seg[:, :2] - origin
    dx, dy = directions[:, :1], directions[:, 1:]
    denom = dx * e[:, 1] - dy * e[:, 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        t = (w[:, 0] * e[:, 1] - w[:, 1] * e[:, 0]) / denom
        u = (w[:, 0] * dy - w[:, 1] * dx) / denom
    hit = (np.abs(denom) > 1e-12) & (t >= 0) & (u >= 0) & (u <= 1)
    return np.minimum(np.where(hit, t, np.inf).min(axis=1, initial=np.inf), limit)


def polygon(origin, heading: float, half_angle: float, limit: float, seg: np.ndarray) -> np.ndarray:
    """(N + 1, 2) vertices: the origin, then the cone's visible rim from its right edge to its left."""
    origin = np.asarray(origin, dtype=np.float64)
    ends = seg.reshape(-1, 2) - origin
    bearing = (np.arctan2(ends[:, 1], ends[:, 0]) - heading + np.pi) % (2 * np.pi) - np.pi
    angles = np.concatenate([np.linspace(-half_angle, half_angle, ARC_RAYS),
                             bearing - EDGE_NUDGE, bearing, bearing + EDGE_NUDGE])
    angles = np.unique(angles[np.abs(angles) <= half_angle])
    directions = np.stack([np.cos(heading + angles), np.sin(heading + angles)], axis=-1)
    return np.vstack([origin, origin + ray_lengths(origin, directions, seg, limit)[:, None] * directions])


def agent_polygons(snap) -> list[np.ndarray]:
    """One visibility polygon per agent of the snapshot, out to the vision range."""
    static = snap.static
    occ = occluders(static, snap.obj_pos, snap.obj_angle)
    return [polygon(pos, heading, static.vision_half_angle, static.vision_range,
                    occ.seg[~occ.low] if elevated else occ.seg)
            for pos, heading, elevated in zip(snap.agent_pos, snap.agent_angle, snap.agent_elevated)]
