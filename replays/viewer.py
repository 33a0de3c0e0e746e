"""The replay viewer: the arena drawn by `arena.render.Renderer`, a HUD panel on its right (the
episode's outcome first, `replays.hud`), a timeline with the episode's events marked
(`replays.timeline`) and a help line below. It draws recorded state only; it never re-runs physics.

Key handling is the pure function `handle_key(state, key, num_frames, num_episodes, event_frames)`;
`advance` moves the cursor while playing (speed 1 = real time, one frame per recorded `dt`). Playing
stops at the last frame; switching episode starts the new one at frame 0. `f` cycles the stage
filter of the episode list (`next_stage`). The window is resizable: the picture is laid out again
to fit it.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

import numpy as np
import pygame

from arena.render import Overlays, Renderer
from arena.stages import STAGES
from replays import format as fmt
from replays.hud import DIM, TEXT, hud_lines
from replays.outcome import Outcome, read_meta
from replays.timeline import EVENT_COLOURS, Event, events, next_event_frame

PANEL = (32, 34, 40)
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
    ((pygame.K_a,), "a labels", partial(_toggle, overlay="labels")),
    ((pygame.K_q, pygame.K_ESCAPE), "q quit", _quit),
]
EVENT_KEYS = {pygame.K_RIGHTBRACKET: +1, pygame.K_LEFTBRACKET: -1}
STAGE_KEY = pygame.K_f
HELP = ("  ".join(label for _, label, _ in KEYMAP if label)
        + "  [/] prev/next event  f stage filter  click the timeline")


def handle_key(state: ViewerState, key: int, num_frames: int, num_episodes: int,
               event_frames: list[int] = ()) -> ViewerState:
    if key in EVENT_KEYS:
        target = next_event_frame(list(event_frames), state.frame, EVENT_KEYS[key])
        return state if target is None else replace(state, position=float(target), playing=False)
    for keys, _, action in KEYMAP:
        if key in keys:
            return action(state, num_frames, num_episodes)
    return state


def next_stage(stage: str | None, outcomes: list[Outcome]) -> str | None:
    """The stage filter after `stage` (None: every episode) that keeps at least one episode."""
    order = [None, *STAGES]
    for candidate in order[order.index(stage) + 1:]:
        if candidate is None or any(o.stages.get(candidate) for o in outcomes):
            return candidate
    return None


def shown(outcomes: list[Outcome], stage: str | None) -> list[int]:
    """Indices of the episodes the stage filter keeps."""
    return [i for i, o in enumerate(outcomes) if stage is None or o.stages.get(stage)]


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

    @classmethod
    def fit(cls, width: int, height: int) -> Layout:
        """The largest layout whose picture fits a window of width x height pixels."""
        size = max(height - 48, 160)
        while size > 160 and cls(size).window[0] > width:
            size -= 16
        return cls(size)

    @property
    def panel(self) -> int:
        return max(self.size // 32 * 16, 256)

    @property
    def window(self) -> tuple[int, int]:
        return self.size + self.panel, self.size + 48

    @property
    def timeline(self) -> pygame.Rect:
        return pygame.Rect(8, self.size + 8, self.window[0] - 16, 14)

    def timeline_x(self, k: int, num_frames: int) -> int:
        """The pixel column of frame k on the timeline."""
        bar = self.timeline
        return bar.x + round(bar.w * k / max(num_frames - 1, 1))


class View:
    """Draws the whole viewer picture (arena, HUD, timeline, help) for one replay frame."""

    def __init__(self, layout: Layout):
        pygame.font.init()
        self.layout = layout
        self.renderer = Renderer(width=layout.size, height=layout.size)
        self.font = pygame.font.Font(None, max(layout.size // 30, 16))
        self.small_font = pygame.font.Font(None, max(layout.size // 40, 14))
        self._arena = pygame.Surface((layout.size, layout.size))
        self._events: tuple[fmt.Replay | None, list[Event]] = (None, [])

    def events(self, replay: fmt.Replay) -> list[Event]:
        """The replay's events, worked out once per replay."""
        if self._events[0] is not replay:
            self._events = (replay, events(replay))
        return self._events[1]

    def draw(self, surface: pygame.Surface, replay: fmt.Replay, state: ViewerState, title: str,
             live: bool = True) -> None:
        """`live` adds the play status and the help line, which exported pictures leave out."""
        layout, k, found = self.layout, state.frame, self.events(replay)
        surface.fill(PANEL)
        self.renderer.draw(self._arena, replay.snapshot(k), state.overlays)
        surface.blit(self._arena, (0, 0))
        status = [(f"{'playing' if state.playing else 'paused'}  x{state.speed:g}", DIM)] if live else []
        lines = [*((line, TEXT) for line in title.split("\n")), *status, ("", TEXT), *hud_lines(replay, k, found)]
        columns = [layout.size + 12 + round(layout.panel * f) for f in (0, 0.45, 0.7)]
        for row, (text, colour) in enumerate(lines):
            for x, cell in zip(columns, text.split("\t")):
                cell = _fit(cell, self.font, layout.panel - 16)
                surface.blit(self.font.render(cell, True, colour), (x, 10 + row * self.font.get_linesize()))
        self._draw_timeline(surface, replay, k, found)
        if live:
            surface.blit(self.small_font.render(HELP, True, DIM), (8, layout.size + 28))

    def _draw_timeline(self, surface, replay: fmt.Replay, k: int, found: list[Event]) -> None:
        bar, n = self.layout.timeline, replay.num_frames
        pygame.draw.rect(surface, TIMELINE, bar)
        prep_x = self.layout.timeline_x(min(replay.static.prep_steps, n - 1), n)
        pygame.draw.rect(surface, PREP_SPAN, pygame.Rect(bar.x, bar.y, prep_x - bar.x, bar.h))
        for event in found:
            x = self.layout.timeline_x(event.frame, n)
            pygame.draw.line(surface, EVENT_COLOURS[event.kind], (x, bar.y + 1), (x, bar.bottom - 2), width=3)
        x = self.layout.timeline_x(k, n)
        pygame.draw.line(surface, CURSOR, (x, bar.y - 3), (x, bar.bottom + 2), width=3)


def watch(paths: list[Path], size: int = 640, overlays: Overlays = Overlays(), episode: int = 0,
          frame: int = 0, stage: str | None = None) -> ViewerState:
    """Open the window and run until the user quits; returns the last state. `episode` counts
    the episodes `stage` keeps, from 0. Raises pygame.error when there is no display."""
    outcomes = [Outcome.of(read_meta(path)) for path in paths]
    listed = shown(outcomes, stage)
    loaded, replay = listed[episode], fmt.load(paths[listed[episode]])
    pygame.display.init()
    view = View(Layout(size))
    screen = pygame.display.set_mode(view.layout.window, pygame.RESIZABLE)
    pygame.display.set_caption("arena watch")
    clock, dragging = pygame.time.Clock(), False
    state = ViewerState(episode=episode, position=float(min(max(frame, 0), replay.num_frames - 1)),
                        overlays=overlays)
    while not state.quit:
        for event in pygame.event.get():
            if event.type == pygame.QUIT:
                state = replace(state, quit=True)
            elif event.type == pygame.VIDEORESIZE:
                view, screen = View(Layout.fit(event.w, event.h)), pygame.display.get_surface()
            elif event.type == pygame.KEYDOWN and event.key == STAGE_KEY:
                stage = next_stage(stage, outcomes)
                listed, state = shown(outcomes, stage), replace(state, episode=0, position=0.0)
            elif event.type == pygame.KEYDOWN:
                state = handle_key(state, event.key, replay.num_frames, len(listed),
                                   [e.frame for e in view.events(replay)])
            elif event.type == pygame.MOUSEBUTTONDOWN and view.layout.timeline.collidepoint(event.pos):
                dragging = True
            elif event.type == pygame.MOUSEBUTTONUP:
                dragging = False
            if dragging and event.type in (pygame.MOUSEBUTTONDOWN, pygame.MOUSEMOTION):
                bar = view.layout.timeline
                state = seek(state, (event.pos[0] - bar.x) / bar.w, replay.num_frames)
        if listed[state.episode] != loaded:
            loaded = listed[state.episode]
            replay = fmt.load(paths[loaded])
        state = advance(state, clock.tick(60) / 1000, replay.num_frames, replay.meta["dt"])
        view.draw(screen, replay, state, title(paths, loaded, state.episode, len(listed), stage))
        pygame.display.flip()
    pygame.display.quit()
    return state


def title(paths: list[Path], index: int, position: int, count: int, stage: str | None) -> str:
    """The panel's first lines: the file name and where the episode stands in the list."""
    among = f" showing {stage} ({len(paths)} in all)" if stage else ""
    return f"{paths[index].name}\nepisode {position + 1} of {count}{among}"
