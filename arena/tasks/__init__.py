"""One file per task; `make` picks the task a scenario names in `task.kind`."""
from __future__ import annotations

from gymnasium import spaces

from arena.layouts import Layout
from arena.snapshot import Snapshot
from arena.tasks.base import Task
from arena.tasks.blueprint_construction import BlueprintConstruction
from arena.tasks.hide_and_seek import HideAndSeek
from arena.tasks.lock_and_return import LockAndReturn
from arena.tasks.object_counting import ObjectCounting
from arena.tasks.sequential_lock import SequentialLock
from arena.tasks.shelter_construction import ShelterConstruction
from scenarios.schema import Scenario

TASKS: dict[str, type] = {"hide_and_seek": HideAndSeek, "lock_and_return": LockAndReturn,
                          "sequential_lock": SequentialLock, "blueprint_construction": BlueprintConstruction,
                          "shelter_construction": ShelterConstruction, "object_counting": ObjectCounting}


def make(scenario: Scenario, first: Snapshot, layout: Layout) -> Task:
    return TASKS[scenario.task.kind](scenario, first, layout)


def observation_extras(scenario: Scenario) -> dict[str, spaces.Space]:
    """Observation entries the scenario's task adds to the upstream ones (most add none)."""
    extras = getattr(TASKS[scenario.task.kind], "observation_extras", None)
    return extras(scenario) if extras else {}
