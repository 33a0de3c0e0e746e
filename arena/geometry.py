"""Distances and outlines of walls (segments) and boxes / ramps (oriented rectangles)."""
from __future__ import annotations

import math

import numpy as np
from numba import njit

@njit(cache=True)
def point_rect_distance(x, y, centres, angles, half, k):
    """Distance from (x, y) to oriented rectangle k (0 inside)."""
    c, s = math.cos(angles[k]), math.sin(angles[k])
    rx, ry = x - centres[k, 0], y - centres[k, 1]
    dx = max(abs(c * rx + s * ry) - half[k, 0], 0.0)
    dy = max(abs(-s * rx + c * ry) - half[k, 1], 0.0)
    return math.sqrt(dx * dx + dy * dy)


@njit(cache=True)
def _rect_distance(points, centres, angles, half, out):
    for p in range(points.shape[0]):
        for k in range(centres.shape[0]):
            out[p, k] = point_rect_distance(points[p, 0], points[p, 1], centres, angles, half, k)


def rect_distance(points: np.ndarray, centres: np.ndarray, angles: np.ndarray, half: np.ndarray) -> np.ndarray:
    """(P, O) distance from each point to each oriented rectangle (0 inside)."""
    out = np.empty((len(points), len(centres)))
    _rect_distance(points, centres, angles, half, out)
    return out


@njit(cache=True)
def beyond(points, lo, hi):
    """Whether any coordinate of the (N, 2) points lies outside [lo, hi]."""
    for i in range(points.shape[0]):
        for j in range(points.shape[1]):
            if points[i, j] < lo or points[i, j] > hi:
                return True
    return False
