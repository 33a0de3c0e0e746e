"""The arena: pymunk hide-and-seek worlds as PettingZoo environments."""
from __future__ import annotations

from typing import Any

from pettingzoo.utils import parallel_to_aec

from arena import wrappers
from arena.env import STATS_INFO_KEY, ArenaEnv
from scenarios.errors import InputError

__all__ = ["ArenaEnv", "InputError", "STATS_INFO_KEY", "parallel_env", "env", "wrappers"]


def parallel_env(scenario: str = "hide_and_seek_quadrant", render_mode: str | None = None, **overrides: Any) -> ArenaEnv:
    return ArenaEnv(scenario, render_mode=render_mode, **overrides)


def env(scenario: str = "hide_and_seek_quadrant", render_mode: str | None = None, **overrides: Any):
    """The AEC form of `parallel_env`."""
    return parallel_to_aec(parallel_env(scenario, render_mode=render_mode, **overrides))
