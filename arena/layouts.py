"""Room generators. A layout is the walls of one episode plus the rectangles spawn regions use.
Walls run along grid lines; doors are gaps of whole cells."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from arena.snapshot import LOW, TALL
from scenarios.schema import Scenario

MIN_ROOM_CELLS = 5


@dataclass(frozen=True)
class Layout:
    walls: np.ndarray   # (W, 5) x0, y0, x1, y1, height
    room: tuple[float, float, float, float] | None  # the hiders' room (x0, y0, x1, y1), metres
    rooms: tuple[tuple[float, float, float, float], ...]
    doors: np.ndarray   # (D, 4) x0, y0, x1, y1 of each door gap, metres
    cylinder: tuple[float, float, float] | None = None  # x, y, radius
    sites: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))  # (S, 2) target-site centres


def _door_starts(rng: np.random.Generator, length: int, door: int, count: int) -> list[int]:
    """Start cells of `count` non-touching doors along a wall of `length` cells, none at its ends."""
    for _ in range(1000):
        starts = sorted(rng.integers(1, length - door, size=count).tolist()) if count else []
        if all(b - a > door for a, b in zip(starts, starts[1:])):
            return starts
    raise ValueError(f"cannot fit {count} doors of {door} cells in a wall of {length} cells")


def _along(fixed: int, spans: list[tuple[int, int]], vertical: bool) -> list[tuple]:
    if vertical:
        return [(fixed, a, fixed, b) for a, b in spans]
    return [(a, fixed, b, fixed) for a, b in spans]


def _wall(fixed: int, lo: int, hi: int, vertical: bool, doors: list[int], door: int) -> tuple[list[tuple], list[tuple]]:
    """Segments of a wall on grid line `fixed` from cell `lo` to `hi` leaving out the doors, and the doors."""
    cuts = [lo] + [c for s in doors for c in (lo + s, lo + s + door)] + [hi]
    spans = [(a, b) for a, b in zip(cuts[::2], cuts[1::2]) if b > a]
    gaps = [(lo + s, lo + s + door) for s in doors]
    return _along(fixed, spans, vertical), _along(fixed, gaps, vertical)


def _split_rooms(rng: np.random.Generator, grid: int, n: int) -> list[tuple[int, int, int, int]]:
    """Split the floor (in cells) into n rooms by repeatedly cutting the largest one."""
    rooms = [(0, 0, grid, grid)]
    while len(rooms) < n:
        rooms.sort(key=lambda r: (r[2] - r[0]) * (r[3] - r[1]))
        x0, y0, x1, y1 = rooms.pop()
        if x1 - x0 >= y1 - y0:
            c = int(rng.integers(x0 + MIN_ROOM_CELLS, x1 - MIN_ROOM_CELLS + 1))
            rooms += [(x0, y0, c, y1), (c, y0, x1, y1)]
        else:
            c = int(rng.integers(y0 + MIN_ROOM_CELLS, y1 - MIN_ROOM_CELLS + 1))
            rooms += [(x0, y0, x1, c), (x0, c, x1, y1)]
    return rooms


def _shared_walls(rooms: list[tuple[int, int, int, int]]) -> list[tuple[int, int, int, bool]]:
    """Interior grid-line pieces between rooms: (fixed, lo, hi, vertical)."""
    pieces = set()
    for x0, y0, x1, y1 in rooms:
        for fixed, lo, hi, vertical, inner in ((x0, y0, y1, True, x0 > 0), (y0, x0, x1, False, y0 > 0)):
            if inner:
                pieces.add((fixed, lo, hi, vertical))
    return sorted(pieces)


def generate(scenario: Scenario, rng: np.random.Generator) -> Layout:
    lay, world = scenario.layout, scenario.world
    grid, cell = world.grid, world.size / world.grid
    segments: list[tuple] = []
    doors: list[tuple] = []

    def walls_with_doors(fixed, lo, hi, vertical, doorless=False):
        count = 0 if doorless else int(rng.integers(lay.doors_per_wall.min, lay.doors_per_wall.max + 1))
        wall, gaps = _wall(fixed, lo, hi, vertical, _door_starts(rng, hi - lo, lay.door_cells, count), lay.door_cells)
        segments.extend(wall)
        doors.extend(gaps)

    room = None
    rooms_cells: list[tuple[int, int, int, int]] = [(0, 0, grid, grid)]
    if lay.kind == "quadrant":
        side = int(rng.integers(lay.room_cells.min, lay.room_cells.max + 1))
        start = grid - side
        doorless = -1   # as upstream's p_door_dropout: one wall, either, may be left without a door
        if lay.door_dropout and rng.random() < lay.door_dropout:   # no draw when off
            doorless = int(rng.integers(2))
        walls_with_doors(start, start, grid, True, doorless == 0)
        walls_with_doors(start, start, grid, False, doorless == 1)
        rooms_cells = [(start, start, grid, grid)]
    elif lay.kind == "rooms":
        n = int(rng.integers(lay.rooms.min, lay.rooms.max + 1))
        rooms_cells = _split_rooms(rng, grid, n)
        for piece in _shared_walls(rooms_cells):
            walls_with_doors(*piece)
    elif lay.kind == "grid":
        rooms_cells = _grid_rooms(grid, *lay.grid_rooms)
        for piece in _shared_walls(rooms_cells):
            walls_with_doors(*piece)
    walls = np.array([(*(cell * np.array(s)), LOW) for s in segments], dtype=np.float64).reshape(-1, 5)

    rooms = tuple(tuple(float(v) * cell for v in r) for r in rooms_cells)
    if lay.kind == "quadrant" or len(rooms) > 1:
        room = rooms[int(rng.integers(len(rooms)))] if lay.kind == "rooms" else rooms[0]
    if lay.kind == "grid":
        cols, rows = lay.grid_rooms
        room = rooms[rows // 2 * cols + cols // 2]
    cylinder = None
    if lay.cylinder is not None:
        cylinder = (world.size / 2, world.size / 2, lay.cylinder.radius)
        walls = np.concatenate([walls, _polygon(*cylinder, lay.cylinder.sides)])
    return Layout(walls=np.concatenate([walls, _perimeter(scenario)]), room=room, rooms=rooms,
                  doors=cell * np.array(doors, dtype=np.float64).reshape(-1, 4), cylinder=cylinder)


def _grid_rooms(grid: int, cols: int, rows: int) -> list[tuple[int, int, int, int]]:
    xs = np.linspace(0, grid, cols + 1).round().astype(int).tolist()
    ys = np.linspace(0, grid, rows + 1).round().astype(int).tolist()
    return [(xs[i], ys[j], xs[i + 1], ys[j + 1]) for j in range(rows) for i in range(cols)]


def _polygon(x: float, y: float, radius: float, sides: int) -> np.ndarray:
    """TALL walls around a regular polygon whose inscribed circle has the given radius."""
    outer = radius / math.cos(math.pi / sides)
    a = np.linspace(0, 2 * math.pi, sides + 1)
    px, py = x + outer * np.cos(a), y + outer * np.sin(a)
    return np.column_stack([px[:-1], py[:-1], px[1:], py[1:], np.full(sides, TALL)])


def _box_walls(lo: float, hi: float, height: int) -> np.ndarray:
    return np.array([(lo, lo, hi, lo, height), (hi, lo, hi, hi, height),
                     (hi, hi, lo, hi, height), (lo, hi, lo, lo, height)], dtype=np.float64)


def _perimeter(scenario: Scenario) -> np.ndarray:
    size, margin = scenario.world.size, scenario.world.margin
    outer = _box_walls(-margin, size + margin, TALL)
    if scenario.layout.low_perimeter:
        return np.concatenate([_box_walls(0.0, size, LOW), outer])
    return outer
