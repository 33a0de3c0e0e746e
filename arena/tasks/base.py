"""What a task is: the rules of one game on top of the shared world. A task never touches the
pymunk space; it reads snapshots (and the episode's layout) and answers with rewards, an end
condition and statistics."""
from __future__ import annotations

from typing import Protocol

import numpy as np

from arena.layouts import Layout
from arena.snapshot import Snapshot
from scenarios.schema import Scenario


class Task(Protocol):
    def __init__(self, scenario: Scenario, first: Snapshot, layout: Layout) -> None: ...

    def step(self, snap: Snapshot) -> np.ndarray:
        """Per-agent rewards for the step that led to `snap`; notes what the statistics need."""

    def terminated(self, snap: Snapshot) -> bool:
        """True when the task ended before the horizon (e.g. a construction is complete)."""

    def episode_stats(self, last: Snapshot) -> dict[str, float]:
        """Statistics of the finished episode, reported in infos[agent]["episode_stats"]."""


# Optional, for tasks that need them:
#   observation_extras(scenario) -> {key: Box}   (staticmethod) observation entries the task adds;
#   observe(snap) -> [{key: array}, ...]          their values, one dict per agent in agent order;
#   script(snap, actions) -> (O, 2) velocities    sees the step's (A, 5) action table before physics
#                                                 and moves every object kinematically (scripted scenes).
