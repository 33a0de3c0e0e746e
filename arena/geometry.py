"""Distances and outlines of walls (segments) and boxes / ramps (oriented rectangles)."""
from __future__ import annotations

import numpy as np

CORNERS = np.array([[1, 1], [-1, 1], [-1, -1], [1, -1]], dtype=np.float64)


def object_edges(obj_pos: np.ndarray, obj_angle: np.ndarray, obj_half: np.ndarray) -> np.ndarray:
    """(O*4, 4) edges x0, y0, x1, y1 of every oriented rectangle, four per object in order."""
    c, s = np.cos(obj_angle)[:, None], np.sin(obj_angle)[:, None]
    local = CORNERS[None] * obj_half[:, None, :]
    corners = np.stack([c * local[..., 0] - s * local[..., 1], s * local[..., 0] + c * local[..., 1]], -1)
    corners += obj_pos[:, None, :]
    return np.concatenate([corners, np.roll(corners, -1, axis=1)], -1).reshape(-1, 4)


def rect_distance(points: np.ndarray, centres: np.ndarray, angles: np.ndarray, half: np.ndarray) -> np.ndarray:
    """(P, O) distance from each point to each oriented rectangle (0 inside)."""
    rel = points[:, None, :] - centres[None]
    c, s = np.cos(angles)[None], np.sin(angles)[None]
    local = np.stack([c * rel[..., 0] + s * rel[..., 1], -s * rel[..., 0] + c * rel[..., 1]], -1)
    return np.linalg.norm(np.maximum(np.abs(local) - half[None], 0.0), axis=-1)


def segment_distance(points: np.ndarray, segments: np.ndarray) -> np.ndarray:
    """(P, S) distance from each point to each segment x0, y0, x1, y1."""
    a, b = segments[None, :, 0:2], segments[None, :, 2:4]
    ab = b - a
    t = np.clip(((points[:, None] - a) * ab).sum(-1) / np.maximum((ab * ab).sum(-1), 1e-12), 0.0, 1.0)
    return np.linalg.norm(a + t[..., None] * ab - points[:, None], axis=-1)
