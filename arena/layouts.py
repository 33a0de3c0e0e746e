"""Room generators. A layout is the walls of one episode plus the rectangles spawn regions use.
Walls run along grid lines; doors are gaps of whole cells."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from arena.snapshot import LOW, TALL
from scenarios.errors import InputError
from scenarios.schema import Scenario

DRAWS = 200   # layouts drawn per reset before the scenario is declared impossible


class Undrawable(Exception):
    """This draw of the layout cannot be completed (a wall too short for its doors, a room too small
    to split); the next draw from the same generator may succeed."""


@dataclass(frozen=True)
class Layout:
    walls: np.ndarray   # (W, 5) x0, y0, x1, y1, height
    room: tuple[float, float, float, float] | None  # the hiders' room (x0, y0, x1, y1), metres
    rooms: tuple[tuple[float, float, float, float], ...]
    doors: np.ndarray   # (D, 4) x0, y0, x1, y1 of each door gap, metres
    cylinder: tuple[float, float, float] | None = None  # x, y, radius
    sites: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))  # (S, 2) target-site centres
    scenario: str = ""  # the name of the scenario it was drawn for, for error messages


def _door_starts(rng: np.random.Generator, length: int, door: int, count: int) -> list[int]:
    """Start cells of `count` non-touching doors along a wall of `length` cells, none at its ends."""
    if count and length - door < 2:
        raise Undrawable(f"a wall of {length} cells is too short for a door of {door} cells")
    for _ in range(100):
        starts = sorted(rng.integers(1, length - door, size=count).tolist()) if count else []
        if all(b - a > door for a, b in zip(starts, starts[1:])):
            return starts
    raise Undrawable(f"cannot fit {count} doors of {door} cells in a wall of {length} cells")


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


def _cut(rng: np.random.Generator, lo: int, hi: int, least: int) -> int:
    if hi - lo < 2 * least:
        raise Undrawable(f"a room of {hi - lo} cells cannot be split into rooms of at least {least} cells")
    return int(rng.integers(lo + least, hi - least + 1))


def _split_rooms(rng: np.random.Generator, grid: int, n: int, least: int) -> list[tuple[int, int, int, int]]:
    """Split the floor (in cells) into n rooms of at least `least` cells a side by repeatedly cutting
    the largest one."""
    rooms = [(0, 0, grid, grid)]
    while len(rooms) < n:
        rooms.sort(key=lambda r: (r[2] - r[0]) * (r[3] - r[1]))
        x0, y0, x1, y1 = rooms.pop()
        if x1 - x0 >= y1 - y0:
            c = _cut(rng, x0, x1, least)
            rooms += [(x0, y0, c, y1), (c, y0, x1, y1)]
        else:
            c = _cut(rng, y0, y1, least)
            rooms += [(x0, y0, x1, c), (x0, c, x1, y1)]
    return rooms


def _tri_rooms(rng: np.random.Generator, grid: int) -> list[tuple[int, int, int, int]]:
    """Upstream's `var_tri`: a wall across the floor at 40-60 % of it, and one across one of the two
    halves at 40-60 %: a room of about half the floor and two of about a quarter."""
    first, second = (int(grid * rng.uniform(0.4, 0.6)) for _ in range(2))
    vertical, left = rng.uniform() < 0.5, rng.uniform() < 0.5
    halves = [(0, 0, first, grid), (first, 0, grid, grid)]
    split, whole = (halves[0], halves[1]) if left else (halves[1], halves[0])
    x0, y0, x1, y1 = split
    rooms = [whole, (x0, 0, x1, second), (x0, second, x1, grid)]
    if vertical:
        return rooms
    return [(y0, x0, y1, x1) for x0, y0, x1, y1 in rooms]   # the same rooms mirrored across the diagonal


def _shared_walls(rooms: list[tuple[int, int, int, int]]) -> list[tuple[int, int, int, bool]]:
    """Interior grid-line pieces between rooms: (fixed, lo, hi, vertical)."""
    pieces = set()
    for x0, y0, x1, y1 in rooms:
        for fixed, lo, hi, vertical, inner in ((x0, y0, y1, True, x0 > 0), (y0, x0, x1, False, y0 > 0)):
            if inner:
                pieces.add((fixed, lo, hi, vertical))
    return sorted(pieces)


def generate(scenario: Scenario, rng: np.random.Generator) -> Layout:
    """The episode's layout. A draw that cannot be completed is drawn again from the same generator
    (so a seed always gives the same layout); InputError if none of DRAWS draws can be."""
    for _ in range(DRAWS):
        try:
            return _draw(scenario, rng)
        except Undrawable as e:
            reason = e
    raise InputError(f"scenario '{scenario.name}': no layout could be drawn in {DRAWS} tries ({reason}); "
                     "make the doors narrower, fewer per wall, or the rooms fewer")


def _draw(scenario: Scenario, rng: np.random.Generator) -> Layout:
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
    elif lay.kind in ("rooms", "grid", "tri"):
        if lay.kind == "rooms":
            rooms_cells = _split_rooms(rng, grid, int(rng.integers(lay.rooms.min, lay.rooms.max + 1)),
                                       lay.min_room_cells)
        elif lay.kind == "grid":
            rooms_cells = _grid_rooms(grid, *lay.grid_rooms)
        else:
            rooms_cells = _tri_rooms(rng, grid)
        for piece in _shared_walls(rooms_cells):
            walls_with_doors(*piece)
    walls = np.array([(*(cell * np.array(s)), LOW) for s in segments], dtype=np.float64).reshape(-1, 5)

    rooms = tuple(tuple(float(v) * cell for v in r) for r in rooms_cells)
    if lay.kind == "quadrant" or len(rooms) > 1:
        room = rooms[int(rng.integers(len(rooms)))] if lay.kind in ("rooms", "tri") else rooms[0]
    if lay.kind == "grid":
        cols, rows = lay.grid_rooms
        room = rooms[rows // 2 * cols + cols // 2]
    cylinder = None
    if lay.cylinder is not None:
        cylinder = _cylinder(lay.cylinder, world.size, rng)
        walls = np.concatenate([walls, _polygon(*cylinder, lay.cylinder.sides)])
    walled = bool(lay.outside_walls) and rng.random() < lay.outside_walls   # no draw when off
    return Layout(walls=np.concatenate([walls, _perimeter(scenario, walled)]), room=room, rooms=rooms,
                  doors=cell * np.array(doors, dtype=np.float64).reshape(-1, 4), cylinder=cylinder,
                  scenario=scenario.name)


def _cylinder(spec, size: float, rng: np.random.Generator) -> tuple[float, float, float]:
    """(x, y, radius): the radius drawn from [radius, radius_max], the centre uniformly such that the
    cylinder lies inside the middle square of side `middle` x the floor (no draws when fixed)."""
    radius = spec.radius if spec.radius_max is None else float(rng.uniform(spec.radius, spec.radius_max))
    x = y = size / 2
    if spec.middle:
        reach = spec.middle * size / 2 - radius
        x, y = (size / 2 + rng.uniform(-reach, reach, 2)).tolist()
    return x, y, radius


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


def _perimeter(scenario: Scenario, walled: bool) -> np.ndarray:
    """The TALL walls at the world's margin; inside them, round the play area, TALL walls when
    `walled` (upstream's outside walls) or else LOW ones when the layout asks for them."""
    size, margin = scenario.world.size, scenario.world.margin
    outer = _box_walls(-margin, size + margin, TALL)
    if walled and margin > 0:
        return np.concatenate([_box_walls(0.0, size, TALL), outer])
    if scenario.layout.low_perimeter:
        return np.concatenate([_box_walls(0.0, size, LOW), outer])
    return outer
