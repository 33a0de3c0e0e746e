"""The replay viewer: the arena drawn by `arena.render.Renderer`, a HUD panel on its right, a
timeline and a help line below. It draws recorded state only; it never re-runs physics.

Key handling is the pure function `handle_key(state, key, num_frames, num_episodes)`; `advance`
moves the cursor while playing (speed 1 = real time, one frame per recorded `dt`). Playing stops
at the last frame; switching episode starts the new one at frame 0.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

import numpy as np
import pygame

from arena.render import TEAM_COLOURS, Overlays, Renderer
from arena.snapshot import BOX, HIDERS, SEEKERS
from replays import format as fmt

PANEL = (32, 34, 40)
TEXT = (225, 225, 230)
DIM = (140, 142, 150)
TIMELINE = (70, 72, 80)
PREP_SPAN = (120, 100, 60)
CURSOR = (255, 214, 60)
SPEEDS = (0.125, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0)


@dataclass(frozen=True)
class ViewerState:
    episode: int = 0
    position: float = 0.0   # frame cursor, fractional while playing
    playing: bool = False
    speed: float = 1.0
    overlays: Overlays = Overlays()
    quit: bool = False

    @property
    def frame(self) -> int:
        return int(self.position)


def _step(state, n, _e, by):
    return replace(state, position=float(min(max(state.frame + by, 0), n - 1)), playing=False)


def _jump(state, n, _e, last):
    return replace(state, position=float(n - 1 if last else 0), playing=False)


def _play(state, n, _e):
    restart = not state.playing and state.frame >= n - 1
    return replace(state, playing=not state.playing, position=0.0 if restart else state.position)


def _faster(state, _n, _e, by):
    i = SPEEDS.index(state.speed) + by
    return replace(state, speed=SPEEDS[min(max(i, 0), len(SPEEDS) - 1)])


def _episode(state, _n, episodes, by):
    target = min(max(state.episode + by, 0), episodes - 1)
    return state if target == state.episode else replace(state, episode=target, position=0.0)


def _toggle(state, _n, _e, overlay):
    return replace(state, overlays=state.overlays.toggled(overlay))


def _quit(state, _n, _e):
    return replace(state, quit=True)


# (keys, label for the help line, action(state, num_frames, num_episodes))
KEYMAP = [
    ((pygame.K_SPACE,), "space play/pause", _play),
    ((pygame.K_RIGHT,), "left/right step", partial(_step, by=+1)),
    ((pygame.K_LEFT,), None, partial(_step, by=-1)),
    ((pygame.K_PAGEDOWN,), "pgup/pgdn 10 steps", partial(_step, by=+10)),
    ((pygame.K_PAGEUP,), None, partial(_step, by=-10)),
    ((pygame.K_HOME,), "home/end", partial(_jump, last=False)),
    ((pygame.K_END,), None, partial(_jump, last=True)),
    ((pygame.K_UP,), "up/down speed", partial(_faster, by=+1)),
    ((pygame.K_DOWN,), None, partial(_faster, by=-1)),
    ((pygame.K_n,), "n/p episode", partial(_episode, by=+1)),
    ((pygame.K_p,), None, partial(_episode, by=-1)),
    ((pygame.K_v,), "v/s/g/l cones/sight/grabs/lidar", partial(_toggle, overlay="vision")),
    ((pygame.K_s,), None, partial(_toggle, overlay="sight")),
    ((pygame.K_g,), None, partial(_toggle, overlay="grabs")),
    ((pygame.K_l,), None, partial(_toggle, overlay="lidar")),
    ((pygame.K_q, pygame.K_ESCAPE), "q quit", _quit),
]
HELP = "  ".join(label for _, label, _ in KEYMAP if label) + "  click the timeline"


def handle_key(state: ViewerState, key: int, num_frames: int, num_episodes: int) -> ViewerState:
    for keys, _, action in KEYMAP:
        if key in keys:
            return action(state, num_frames, num_episodes)
    return state


def advance(state: ViewerState, seconds: float, num_frames: int, dt: float) -> ViewerState:
    if not state.playing:
        return state
    position = state.position + seconds * state.speed / dt
    if position >= num_frames - 1:
        return replace(state, position=float(num_frames - 1), playing=False)
    return replace(state, position=position)


def seek(state: ViewerState, fraction: float, num_frames: int) -> ViewerState:
    frame = round(min(max(fraction, 0.0), 1.0) * (num_frames - 1))
    return replace(state, position=float(frame))


def hud_lines(replay: fmt.Replay, k: int) -> list[tuple[str, tuple]]:
    """The HUD text for frame k: step, phase, rewards, who sees whom, locks; tabs separate columns."""
    snap = replay.snapshot(k)
    names, teams = replay.agent_names, replay.static.agent_team
    totals = replay.rewards[:k].sum(axis=0)
    lines = [(f"step {snap.t} / {replay.static.horizon}", TEXT),
             ("preparation: seekers frozen" if snap.prep else "hide and seek", CURSOR if snap.prep else TEXT),
             ("", TEXT), ("reward\tstep\ttotal", DIM)]
    for name, team, r, total in zip(names, teams, replay.reward(k), totals):
        lines.append((f"{name}\t{r:+.1f}\t{total:+.1f}", TEAM_COLOURS[int(team)]))
    lines += [("", TEXT), ("who sees whom", DIM)]
    sightings = [(i, j) for i, j in zip(*np.nonzero(snap.sees_agent)) if teams[i] != teams[j]]
    for i, j in sightings:
        lines.append((f"{names[i]} sees {names[j]}", TEAM_COLOURS[int(teams[i])]))
    if not sightings:
        lines.append(("nobody sees an opponent", TEXT))
    lines += [("", TEXT), ("locked\tboxes\tramps", DIM)]
    kinds = replay.static.obj_kind
    for team, label in ((HIDERS, "hiders"), (SEEKERS, "seekers")):
        boxes = int(((snap.obj_lock == team) & (kinds == BOX)).sum())
        ramps = int(((snap.obj_lock == team) & (kinds != BOX)).sum())
        lines.append((f"{label}\t{boxes}\t{ramps}", TEAM_COLOURS[team]))
    return lines


def _fit(text: str, font: pygame.font.Font, width: int) -> str:
    """`text`, or its end after "..." when it is wider than `width` pixels."""
    cut = 0
    while cut < len(text) and font.size(text if cut == 0 else "..." + text[cut:])[0] > width:
        cut += 1
    return text if cut == 0 else "..." + text[cut:]


@dataclass(frozen=True)
class Layout:
    """Arena square of `size` px (rounded down to a multiple of 16, as video encoders want),
    HUD panel on the right, timeline and help line below."""
    size: int

    def __post_init__(self):
        object.__setattr__(self, "size", max(self.size // 16 * 16, 160))

    @property
    def panel(self) -> int:
        return max(self.size // 32 * 16, 256)

    @property
    def window(self) -> tuple[int, int]:
        return self.size + self.panel, self.size + 48

    @property
    def timeline(self) -> pygame.Rect:
        return pygame.Rect(8, self.size + 8, self.window[0] - 16, 14)


class View:
    """Draws the whole viewer picture (arena, HUD, timeline, help) for one replay frame."""

    def __init__(self, layout: Layout):
        pygame.font.init()
        self.layout = layout
        self.renderer = Renderer(width=layout.size, height=layout.size)
        self.font = pygame.font.Font(None, max(layout.size // 30, 16))
        self.small_font = pygame.font.Font(None, max(layout.size // 40, 14))
        self._arena = pygame.Surface((layout.size, layout.size))

    def draw(self, surface: pygame.Surface, replay: fmt.Replay, state: ViewerState, title: str,
             help_line: bool = True) -> None:
        layout, k = self.layout, state.frame
        surface.fill(PANEL)
        self.renderer.draw(self._arena, replay.snapshot(k), state.overlays)
        surface.blit(self._arena, (0, 0))
        status = f"{'playing' if state.playing else 'paused'}  x{state.speed:g}"
        lines = [*((line, TEXT) for line in title.split("\n")), (status, DIM), ("", TEXT), *hud_lines(replay, k)]
        columns = [layout.size + 12 + round(layout.panel * f) for f in (0, 0.45, 0.7)]
        for row, (text, colour) in enumerate(lines):
            for x, cell in zip(columns, text.split("\t")):
                cell = _fit(cell, self.font, layout.panel - 16)
                surface.blit(self.font.render(cell, True, colour), (x, 10 + row * self.font.get_linesize()))
        self._draw_timeline(surface, replay, k)
        if help_line:
            surface.blit(self.small_font.render(HELP, True, DIM), (8, layout.size + 28))

    def _draw_timeline(self, surface, replay: fmt.Replay, k: int) -> None:
        bar, last = self.layout.timeline, max(replay.num_frames - 1, 1)
        pygame.draw.rect(surface, TIMELINE, bar)
        prep = min(replay.static.prep_steps / last, 1.0)
        pygame.draw.rect(surface, PREP_SPAN, pygame.Rect(bar.x, bar.y, round(bar.w * prep), bar.h))
        x = bar.x + round(bar.w * k / last)
        pygame.draw.line(surface, CURSOR, (x, bar.y - 3), (x, bar.bottom + 2), width=3)


def watch(paths: list[Path], size: int = 640, overlays: Overlays = Overlays(), episode: int = 0,
          frame: int = 0) -> ViewerState:
    """Open the window and run until the user quits; returns the last state.
    Raises pygame.error when there is no display."""
    loaded, replay = episode, fmt.load(paths[episode])
    pygame.display.init()
    view = View(Layout(size))
    screen = pygame.display.set_mode(view.layout.window)
    pygame.display.set_caption("arena watch")
    clock, dragging = pygame.time.Clock(), False
    state = ViewerState(episode=episode, position=float(min(max(frame, 0), replay.num_frames - 1)),
                        overlays=overlays)
    while not state.quit:
        for event in pygame.event.get():
            if event.type == pygame.QUIT:
                state = replace(state, quit=True)
            elif event.type == pygame.KEYDOWN:
                state = handle_key(state, event.key, replay.num_frames, len(paths))
            elif event.type == pygame.MOUSEBUTTONDOWN and view.layout.timeline.collidepoint(event.pos):
                dragging = True
            elif event.type == pygame.MOUSEBUTTONUP:
                dragging = False
            if dragging and event.type in (pygame.MOUSEBUTTONDOWN, pygame.MOUSEMOTION):
                bar = view.layout.timeline
                state = seek(state, (event.pos[0] - bar.x) / bar.w, replay.num_frames)
        if state.episode != loaded:
            loaded, replay = state.episode, fmt.load(paths[state.episode])
        state = advance(state, clock.tick(60) / 1000, replay.num_frames, replay.meta["dt"])
        title = f"{paths[loaded].name}\nepisode {loaded + 1} of {len(paths)}"
        view.draw(screen, replay, state, title)
        pygame.display.flip()
    pygame.display.quit()
    return state
