"""The arena: pymunk hide-and-seek worlds as PettingZoo environments."""
from __future__ import annotations

from typing import Any

from pettingzoo.utils import parallel_to_aec

from arena.env import ArenaEnv
from scenarios.errors import InputError

__all__ = ["ArenaEnv", "InputError", "parallel_env", "env"]


def parallel_env(scenario: str = "hide_and_seek_quadrant", render_mode: str | None = None, **overrides: Any) -> ArenaEnv:
    return ArenaEnv(scenario, render_mode=render_mode, **overrides)


def env(scenario: str = "hide_and_seek_quadrant", render_mode: str | None = None, **overrides: Any):
    """The AEC form of `parallel_env`."""
    return parallel_to_aec(parallel_env(scenario, render_mode=render_mode, **overrides))
