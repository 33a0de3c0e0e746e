"""`ArenaEnv`: a scenario as a PettingZoo parallel environment."""
from __future__ import annotations

import difflib
import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
from gymnasium import spaces
from pettingzoo import ParallelEnv

import scenarios
from arena import mechanics, tasks
from arena.observations import (Observer, Slots, door_gaps, door_table, flat_columns, observation_space, state_space,
                                team_rank)
from arena.snapshot import Snapshot, take
from arena.world import World
from scenarios.errors import InputError

TEAM_NAMES = ("hider", "seeker")
# infos[agent][STATS_INFO_KEY] at an episode's last step: the task's statistics. Not "episode", which
# Gymnasium's RecordEpisodeStatistics and SB3's Monitor reserve for {"r", "l", "t"}.
STATS_INFO_KEY = "episode_stats"
RESET_OPTIONS = ("placement", "overrides")
MAX_SEED = 2**63 - 1


def _check_reset_arguments(seed, options, world) -> None:
    """Seeds are whole numbers in [0, 2**63 - 1]; options a dict of RESET_OPTIONS, with placements of
    finite coordinates inside the outer walls."""
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))
                             or not 0 <= seed <= MAX_SEED):
        raise InputError(f"reset seed must be None or a whole number in [0, 2**63 - 1], got {seed!r}")
    if options is None:
        return
    if not isinstance(options, Mapping):
        raise InputError(f"reset options must be a dict (keys {', '.join(RESET_OPTIONS)}), got {type(options).__name__}")
    for key in options:  # a near miss is a typo; other keys are a warning (PettingZoo's own test passes some)
        close = difflib.get_close_matches(str(key), RESET_OPTIONS, n=1)
        if key not in RESET_OPTIONS and close:
            raise InputError(f"reset options: unknown key {key!r}; did you mean {close[0]!r}?")
        if key not in RESET_OPTIONS:
            warnings.warn(f"reset options: ignoring unknown key {key!r} (known: {', '.join(RESET_OPTIONS)})",
                          stacklevel=3)
    if not isinstance(options.get("overrides", {}), Mapping):
        raise InputError("reset options: 'overrides' must be a dict of scenario keys (section__key: value)")
    placement = options.get("placement") or {}
    if not isinstance(placement, Mapping):
        raise InputError("reset options: 'placement' must be a dict with 'objects' and/or 'agents' rows")
    for key, rows in placement.items():
        try:
            rows = np.asarray(rows, dtype=np.float64)
        except (TypeError, ValueError):
            raise InputError(f"reset options: placement '{key}' must be rows of (x, y, angle) numbers") from None
        if not np.isfinite(rows).all():
            raise InputError(f"reset options: placement '{key}' holds NaN or infinite numbers")
        low, high = -world.margin, world.size + world.margin
        if rows.ndim == 2 and rows.shape[1] == 3 and ((rows[:, :2] < low) | (rows[:, :2] > high)).any():
            raise InputError(f"reset options: placement '{key}' puts something outside the outer walls "
                             f"(x and y must be in [{low:g}, {high:g}] m)")


class ArenaEnv(ParallelEnv):
    metadata = {"name": "arena_v0", "render_modes": ["human", "rgb_array"], "render_fps": 8,
                "is_parallelizable": True}

    def __init__(self, scenario: str | scenarios.Scenario = scenarios.DEFAULT, render_mode: str | None = None,
                 flat_observations: bool = False, **overrides: Any):
        """`flat_observations`: each observation is one float32 `Box`, the Dict observation flattened as
        gymnasium flattens it (masks as 0.0 / 1.0), written in place: faster than flattening dicts."""
        if render_mode not in (None, *self.metadata["render_modes"]):
            raise InputError(f"render_mode must be one of {self.metadata['render_modes']} or None, "
                             f"got {render_mode!r}")
        self.scenario = self._base = scenarios.load(scenario, **overrides)
        self._reset_overrides: dict = {}
        self.render_mode = render_mode
        agents = self.scenario.agents
        self.possible_agents = ([f"hider_{i}" for i in range(agents.hiders.max)]
                                + [f"seeker_{i}" for i in range(agents.seekers.max)])
        self.max_cycles = self.scenario.horizon
        self.slots = Slots.of(self.scenario)
        self._task_keys = tasks.observation_extras(self.scenario)
        obs_space = observation_space(self.slots, self._task_keys)
        self._flat_columns = None
        if flat_observations:
            self._flat_columns = flat_columns(obs_space)
            obs_space = spaces.Box(-np.inf, np.inf, (spaces.flatdim(obs_space),), np.float32)
        act_space = spaces.MultiDiscrete(mechanics.ACTION_NVEC)
        self.observation_spaces = {a: obs_space for a in self.possible_agents}
        self.action_spaces = {a: act_space for a in self.possible_agents}
        self.state_space = state_space(self.slots, self._task_keys)
        self.agents: list[str] = []
        self._rng = np.random.default_rng()
        self._renderer = None
        self.snapshot: Snapshot | None = None

    def observation_space(self, agent: str) -> spaces.Space:
        return self.observation_spaces[agent]

    def action_space(self, agent: str) -> spaces.Space:
        return self.action_spaces[agent]

    def reset(self, seed: int | None = None, options: dict | None = None):
        """`options`: `placement` (see World) and `overrides`, scenario keys (`section__key`) that
        hold from this episode on, such as a spawn curriculum; they may not change the spaces."""
        _check_reset_arguments(seed, options, self.scenario.world)
        if seed is not None:
            self._rng = np.random.default_rng(int(seed))
        options = options or {}
        if "overrides" in options:
            self._override(dict(options["overrides"]))
        self.world = World(self.scenario, self._rng, options.get("placement"))
        self.world.static = self.world.static.with_layout(self.world.layout)  # sites, cylinder: for the renderer
        team = self.world.static.agent_team
        self.agents = [f"{TEAM_NAMES[t]}_{r}" for t, r in zip(team, team_rank(team))]
        slot = np.array([self.possible_agents.index(a) for a in self.agents], dtype=np.int64)
        layout = self.world.layout
        doors = door_table(layout, self.slots.doors) if self.slots.doors else None
        gaps = door_gaps(layout, self.slots.doors) if self.slots.state_forts else None
        self.observer = Observer(self.slots, slot, int((self.world.static.obj_kind == 0).sum()), doors, team,
                                 gaps, layout.room)
        self.snapshot = take(self.world, 0)
        self.task = tasks.make(self.scenario, self.snapshot, self.world.layout)
        self._script = getattr(self.task, "script", None)
        if self.render_mode == "human":
            self.render()
        return self._observations(), {a: {} for a in self.agents}

    def _override(self, overrides: dict):
        if overrides == self._reset_overrides:
            return
        scenario = scenarios.load(self._base, **overrides)
        if Slots.of(scenario) != self.slots or tasks.observation_extras(scenario) != self._task_keys:
            raise InputError(f"reset option overrides {overrides} change the observation spaces; "
                             "only keys that keep them (spawn, rules, rewards) can change between episodes")
        self.scenario, self._reset_overrides = scenario, overrides

    def _observations(self) -> dict[str, dict[str, np.ndarray] | np.ndarray]:
        extras = self.task.observe(self.snapshot) if self._task_keys else None
        if self._flat_columns is not None:
            flat = self.observer.observe_flat(self.snapshot, self._flat_columns)
            for i, entries in enumerate(extras or ()):
                for key, value in entries.items():
                    flat[i, self._flat_columns[key][0]] = np.ravel(value)
            return dict(zip(self.agents, flat))
        obs = self.observer.observe(self.snapshot)
        for own, extra in zip(obs, extras or ()):
            own.update(extra)
        return dict(zip(self.agents, obs))

    def step(self, actions: dict[str, Any]):
        if not self.agents:
            raise InputError("step() called on a finished episode: call reset() first")
        table = mechanics.decode(actions, self.agents, self.possible_agents)
        world, snap = self.world, self.snapshot
        frozen = mechanics.frozen_agents(snap)
        want_grab = (table[:, 3] == 1) & ~frozen
        want_lock = (table[:, 4] == 1) & ~frozen
        mechanics.interact(world, snap, want_grab, want_lock, self.scenario)
        if self._script is not None:
            world.drive(self._script(snap, table))
        world.step(*mechanics.motor(table, self.scenario, frozen))
        snap = take(world, snap.t + 1)
        if world.keep_inside(snap):
            snap = take(world, snap.t)
        self.snapshot = snap

        reward = self.task.step(snap)
        obs = self._observations()
        ended = self.task.terminated(snap)
        cut = not ended and snap.t >= self.scenario.horizon
        rewards = dict(zip(self.agents, reward.tolist()))
        terminations = dict.fromkeys(self.agents, ended)
        truncations = dict.fromkeys(self.agents, cut)
        infos = {a: {} for a in self.agents}
        if ended or cut:
            stats = self.task.episode_stats(snap)
            for a in self.agents:
                infos[a][STATS_INFO_KEY] = stats
            self.agents = []
        if self.render_mode == "human":
            self.render()
        return obs, rewards, terminations, truncations, infos

    def state(self) -> np.ndarray:
        if self.snapshot is None:
            raise InputError("state() called before reset()")
        return self.observer.state(self.snapshot, self.task.observe(self.snapshot) if self._task_keys else None)

    def render(self):
        if self.render_mode is None or self.snapshot is None:
            return None
        if self._renderer is None:
            from arena.render import Renderer
            self._renderer = Renderer(self.snapshot.static)
        if self.render_mode == "rgb_array":
            return self._renderer.frame(self.snapshot)
        self._renderer.show(self.snapshot, fps=self.metadata["render_fps"])
        return None

    def close(self):
        if self._renderer is not None:
            self._renderer.close()
            self._renderer = None
