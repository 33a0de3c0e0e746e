"""Draws a `Snapshot` with pygame, top-down, world y pointing up.

    renderer = Renderer(static_or_none, width=640, height=None)   # height defaults to width
    rgb = renderer.frame(snapshot, overlays=Overlays())   # (height, width, 3) uint8, no window
    renderer.show(snapshot, overlays=Overlays(), fps=None) # opens or updates a window
    renderer.draw(surface, snapshot, overlays)             # onto any surface (the viewer adds a HUD)
    renderer.close()

The arena is scaled to fit, centred. Outer (TALL) walls are dark and thick, interior (LOW) walls
lighter and thinner; hiders are blue and seekers red, each with a heading line; boxes and ramps
are tinted with the colour of the team that locked them; a ramp shows a chevron pointing uphill
(its local +x) and a thick high edge; elevated agents cast a shadow and wear a halo.
Construction target sites (`Static.sites`) are box-sized purple squares, outlined over the boxes,
the outline thick and green once a square box sits on the site (mean corner distance under
SITE_HELD_DISTANCE, blueprint_construction's default activation radius); a cylinder
(`Static.cylinders`) is a dark disc inside its polygon of TALL walls. Vision cones are clipped at
walls and boxes as the sensors see (`arena.visibility`); agents carry short labels (h0, s1, ...).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pygame

from arena import visibility
from arena.snapshot import BOX, HIDERS, RAMP, SEEKERS, TALL, Snapshot, Static

TEAM_COLOURS = {HIDERS: (40, 110, 230), SEEKERS: (220, 50, 50)}
FLOOR = (236, 232, 222)
OUTSIDE = (212, 208, 198)
BOUNDARY = (150, 146, 138)
WALL_COLOURS = {TALL: (55, 55, 60), 0: (135, 135, 148)}
OBJECT_COLOURS = {0: (196, 150, 90), RAMP: (168, 176, 110)}
OBJECT_EDGE = (110, 84, 50)
SITE = (150, 60, 190)
SITE_FILL = (216, 196, 222)
SITE_HELD = (30, 160, 70)
SITE_HELD_DISTANCE = 0.1
CYLINDER = (85, 85, 96)
HALO = (255, 214, 60)
SHADOW = (0, 0, 0, 70)
CONE_ALPHA = 38
LIDAR_ALPHA = 90
LABEL = (20, 20, 24)
TEAM_LETTERS = {HIDERS: "h", SEEKERS: "s"}


@dataclass(frozen=True)
class Overlays:
    vision: bool = True   # vision cones
    sight: bool = True    # a line from each agent to every opponent it sees
    grabs: bool = True    # a link from each agent to the object it holds
    lidar: bool = False   # lidar rays
    labels: bool = True   # h0, s1, ... beside each agent

    def toggled(self, name: str) -> Overlays:
        return replace(self, **{name: not getattr(self, name)})


def agent_labels(agent_team) -> list[str]:
    """h0, h1, ..., s0, ...: team letter and index within the team."""
    return [f"{TEAM_LETTERS[int(t)]}{int((agent_team[:i] == t).sum())}" for i, t in enumerate(agent_team)]


def object_labels(obj_kind) -> list[str]:
    """box 0, box 1, ..., ramp 0, ...: kind and index within the kind."""
    return [f"{'ramp' if k == RAMP else 'box'} {int((obj_kind[:i] == k).sum())}" for i, k in enumerate(obj_kind)]


def _blend(a, b, t: float) -> tuple[int, int, int]:
    return tuple(int(round(x + (y - x) * t)) for x, y in zip(a, b))


def _rectangle(centre: np.ndarray, half: np.ndarray, angle: float) -> np.ndarray:
    """(4, 2) corners of a rotated rectangle, counter-clockwise from local (+x, +y)."""
    c, s = np.cos(angle), np.sin(angle)
    local = np.array([[1, 1], [-1, 1], [-1, -1], [1, -1]]) * half
    return centre + local @ np.array([[c, s], [-s, c]])


class Renderer:
    def __init__(self, static: Static | None = None, width: int = 640, height: int | None = None):
        self.width, self.height = int(width), int(height or width)
        self._static: Static | None = None
        self._background: pygame.Surface | None = None
        self._canvas = pygame.Surface((self.width, self.height))
        self._window: pygame.Surface | None = None
        self._clock: pygame.time.Clock | None = None
        if static is not None:
            self._prepare(static)

    def to_screen(self, xy) -> np.ndarray:
        """World metres -> pixel coordinates (float), for points of shape (..., 2); needs the static
        (given to the constructor, or taken from the first snapshot drawn)."""
        xy = np.asarray(xy, dtype=np.float64)
        px = self._origin[0] + (xy[..., 0] - self._lo[0]) * self._scale
        py = self._origin[1] + (self._hi[1] - xy[..., 1]) * self._scale
        return np.stack([px, py], axis=-1)

    def frame(self, snapshot: Snapshot, overlays: Overlays = Overlays()) -> np.ndarray:
        self.draw(self._canvas, snapshot, overlays)
        rgb = pygame.image.tobytes(self._canvas, "RGB")
        return np.frombuffer(rgb, dtype=np.uint8).reshape(self.height, self.width, 3).copy()

    def show(self, snapshot: Snapshot, overlays: Overlays = Overlays(), fps: float | None = None) -> None:
        if self._window is None:
            pygame.display.init()
            self._window = pygame.display.set_mode((self.width, self.height))
            pygame.display.set_caption("emergent-arena")
            self._clock = pygame.time.Clock()
        pygame.event.get()
        self.draw(self._window, snapshot, overlays)
        pygame.display.flip()
        if fps:
            self._clock.tick(fps)

    def close(self) -> None:
        if self._window is not None:
            pygame.display.quit()
            self._window = None

    def draw(self, surface: pygame.Surface, snapshot: Snapshot, overlays: Overlays = Overlays()) -> None:
        if snapshot.static is not self._static:
            self._prepare(snapshot.static)
        surface.blit(self._background, (0, 0))
        translucent = pygame.Surface(surface.get_size(), pygame.SRCALPHA)
        translucent.set_clip(self._walled)
        if overlays.vision:
            self._draw_cones(translucent, snapshot)
        if overlays.lidar:
            self._draw_lidar(translucent, snapshot)
        surface.blit(translucent, (0, 0))
        self._draw_objects(surface, snapshot)
        self._draw_sites(surface, snapshot)
        if overlays.grabs:
            self._draw_grabs(surface, snapshot)
        if overlays.sight:
            self._draw_sight(surface, snapshot)
        self._draw_agents(surface, snapshot)
        if overlays.labels:
            self._draw_labels(surface, snapshot)

    def _prepare(self, static: Static) -> None:
        """Fit the world into the canvas and draw the parts that never move."""
        self._static, self._font = static, None
        walls, hw = np.asarray(static.walls, dtype=np.float64), static.wall_half_thickness
        points = np.concatenate([walls[:, 0:2], walls[:, 2:4], [[0, 0], [static.size, static.size]]])
        pad = 0.02 * static.size + hw
        self._lo, self._hi = points.min(axis=0) - pad, points.max(axis=0) + pad
        extent = self._hi - self._lo
        self._scale = min(self.width / extent[0], self.height / extent[1])
        self._origin = (np.array([self.width, self.height]) - extent * self._scale) / 2
        (left, top), (right, bottom) = self.to_screen([points.min(axis=0), points.max(axis=0)]).round()
        self._walled = pygame.Rect(left, bottom, right - left, top - bottom)
        self._background = pygame.Surface((self.width, self.height))
        self._background.fill(OUTSIDE if static.margin > 0 else FLOOR)
        if static.margin > 0:
            area = self._polygon([[0, 0], [static.size, 0], [static.size, static.size], [0, static.size]])
            pygame.draw.polygon(self._background, FLOOR, area)
            pygame.draw.polygon(self._background, BOUNDARY, area, width=1)
        half = static.obj_half
        self._square = np.flatnonzero((static.obj_kind == BOX) & (half[:, 0] == half[:, 1]))
        site_half = half[self._square[0]] if len(self._square) else np.full(2, 0.25)
        self._site_corners = np.array([_rectangle(c, site_half, 0.0) for c in static.sites]).reshape(-1, 4, 2)
        for corners in self._site_corners:
            pygame.draw.polygon(self._background, SITE_FILL, self._polygon(corners))
        for x, y, radius in static.cylinders:
            pygame.draw.circle(self._background, CYLINDER, tuple(self.to_screen((x, y))), radius * self._scale)
        tall_px = max(2 * hw * self._scale, 4.0)
        for x0, y0, x1, y1, height in walls:
            px = tall_px if height == TALL else max(tall_px / 2, 2.0)
            self._thick_line(self._background, WALL_COLOURS[int(height)], (x0, y0), (x1, y1), px)

    def _draw_sites(self, surface, snap: Snapshot) -> None:
        """Sites are the size of the square boxes, as the task has them; one holds a box when the
        mean distance from its corners to the box's nearest corners is under SITE_HELD_DISTANCE."""
        if not len(self._site_corners):
            return
        half = snap.static.obj_half
        boxes = np.array([_rectangle(snap.obj_pos[k], half[k], snap.obj_angle[k]) for k in self._square])
        held = np.zeros(len(self._site_corners), bool)
        if len(boxes):
            gaps = np.linalg.norm(self._site_corners[:, None, :, None] - boxes[None, :, None], axis=-1)
            held = gaps.min(axis=3).mean(axis=2).min(axis=1) < SITE_HELD_DISTANCE
        for corners, on in zip(self._site_corners, held):
            pygame.draw.polygon(surface, SITE_HELD if on else SITE, self._polygon(corners), width=4 if on else 2)

    def _polygon(self, points) -> list[tuple[float, float]]:
        return [tuple(p) for p in self.to_screen(points)]

    def _thick_line(self, surface, colour, a, b, width_px: float) -> None:
        """A segment drawn as a polygon, so its ends are square and its width exact at any angle."""
        pa, pb = self.to_screen([a, b])
        d = pb - pa
        length = np.hypot(*d)
        if length == 0:
            return
        n = np.array([-d[1], d[0]]) / length * width_px / 2
        ext = d / length * width_px / 2
        corners = [pa - ext + n, pb + ext + n, pb + ext - n, pa - ext - n]
        pygame.draw.polygon(surface, colour, [tuple(c) for c in corners])

    def _px(self, metres: float) -> int:
        return max(int(round(metres * self._scale)), 1)

    def _draw_cones(self, surface, snap: Snapshot) -> None:
        for area, team in zip(visibility.agent_polygons(snap), snap.static.agent_team):
            pygame.draw.polygon(surface, (*TEAM_COLOURS[int(team)], CONE_ALPHA), self._polygon(area))

    def _draw_labels(self, surface, snap: Snapshot) -> None:
        if self._font is None:
            pygame.font.init()
            self._font = pygame.font.Font(None, max(self._px(2.2 * snap.static.agent_radius), 14))
        offset = np.array([0.8, 0.8]) * snap.static.agent_radius
        for label, pos in zip(agent_labels(snap.static.agent_team), snap.agent_pos):
            x, y = self.to_screen(pos + offset)
            surface.blit(self._font.render(label, True, LABEL), (x, max(y - self._font.get_height(), 0)))

    def _draw_lidar(self, surface, snap: Snapshot) -> None:
        directions = np.stack([np.cos(snap.static.lidar_angles), np.sin(snap.static.lidar_angles)], axis=-1)
        for pos, distances, team in zip(snap.agent_pos, snap.lidar, snap.static.agent_team):
            start = tuple(self.to_screen(pos))
            for end in self.to_screen(pos + distances[:, None] * directions):
                pygame.draw.line(surface, (*TEAM_COLOURS[int(team)], LIDAR_ALPHA), start, tuple(end))

    def _draw_objects(self, surface, snap: Snapshot) -> None:
        static = snap.static
        for kind, half, pos, angle, lock in zip(static.obj_kind, static.obj_half, snap.obj_pos,
                                                snap.obj_angle, snap.obj_lock):
            corners = _rectangle(pos, half, angle)
            fill, edge = OBJECT_COLOURS[int(kind)], OBJECT_EDGE
            if lock >= 0:
                fill, edge = _blend(fill, TEAM_COLOURS[int(lock)], 0.55), TEAM_COLOURS[int(lock)]
            pygame.draw.polygon(surface, fill, self._polygon(corners))
            pygame.draw.polygon(surface, edge, self._polygon(corners), width=3 if lock >= 0 else 1)
            if kind == RAMP:
                self._draw_slope(surface, corners, edge)

    def _draw_slope(self, surface, corners: np.ndarray, colour) -> None:
        """Thick high edge at local +x and a chevron pointing up the slope."""
        self._thick_line(surface, colour, corners[0], corners[3], 4)
        centre = corners.mean(axis=0)
        back = centre + 0.5 * (corners[[1, 2]] - centre)
        tip = centre + 0.5 * ((corners[0] + corners[3]) / 2 - centre)
        pygame.draw.lines(surface, colour, False, self._polygon([back[0], tip, back[1]]), width=2)

    def _draw_grabs(self, surface, snap: Snapshot) -> None:
        for pos, grab, team in zip(snap.agent_pos, snap.agent_grab, snap.static.agent_team):
            if grab >= 0:
                a, b = self.to_screen([pos, snap.obj_pos[grab]])
                colour = _blend(TEAM_COLOURS[int(team)], (0, 0, 0), 0.3)
                pygame.draw.line(surface, colour, tuple(a), tuple(b), width=3)
                pygame.draw.circle(surface, colour, tuple(b), 4)

    def _draw_sight(self, surface, snap: Snapshot) -> None:
        teams = snap.static.agent_team
        for i, j in zip(*np.nonzero(snap.sees_agent)):
            if teams[i] != teams[j]:
                a, b = self.to_screen([snap.agent_pos[i], snap.agent_pos[j]])
                pygame.draw.line(surface, TEAM_COLOURS[int(teams[i])], tuple(a), tuple(b), width=1)

    def _draw_agents(self, surface, snap: Snapshot) -> None:
        static = snap.static
        r = self._px(static.agent_radius)
        for pos, angle, team, elevated in zip(snap.agent_pos, snap.agent_angle, static.agent_team,
                                              snap.agent_elevated):
            centre = self.to_screen(pos)
            if elevated:
                shadow = pygame.Surface((4 * r, 4 * r), pygame.SRCALPHA)
                pygame.draw.circle(shadow, SHADOW, (2 * r, 2 * r), int(r * 1.25))
                surface.blit(shadow, tuple(centre + r * 0.45 - 2 * r))
                pygame.draw.circle(surface, HALO, tuple(centre), int(r * 1.45), width=max(r // 4, 2))
            pygame.draw.circle(surface, TEAM_COLOURS[int(team)], tuple(centre), r)
            tip = self.to_screen(pos + 1.6 * static.agent_radius * np.array([np.cos(angle), np.sin(angle)]))
            pygame.draw.line(surface, (20, 20, 20), tuple(centre), tuple(tip), width=max(r // 4, 2))
