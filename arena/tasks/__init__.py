"""One file per task; `make` picks the task a scenario names in `task.kind`."""
from __future__ import annotations

from arena.layouts import Layout
from arena.snapshot import Snapshot
from arena.tasks.base import Task
from arena.tasks.hide_and_seek import HideAndSeek
from scenarios.schema import Scenario

TASKS: dict[str, type] = {"hide_and_seek": HideAndSeek}


def make(scenario: Scenario, first: Snapshot, layout: Layout) -> Task:
    return TASKS[scenario.task.kind](scenario, first, layout)
