"""A task in a scenario that cannot host it is a clear error naming the key."""
import pytest

import arena
import scenarios

BROKEN = [
    ("blueprint_construction", {"layout__sites": [1, 9]}, "layout.sites: up to 9 sites but as few as 8 square boxes"),
    ("blueprint_construction", {"layout__sites": 0}, "layout.sites: blueprint_construction needs at least one"),
    ("blueprint_construction", {"boxes__elongated": 6}, "layout.sites: up to 4 sites but as few as 2 square boxes"),
    ("shelter_construction", {"boxes__elongated": 9}, "boxes.elongated: at least 9 elongated boxes but as few as 8"),
    ("shelter_construction", {"layout__cylinder": None}, "layout.cylinder: shelter_construction needs a cylinder"),
    ("sequential_lock", {"rules__lock_order": "any"}, "rules.lock_order: sequential_lock needs box_index"),
    ("sequential_lock", {"agents__seekers": 1}, "agents: sequential_lock has exactly one agent"),
    ("lock_and_return", {"agents__hiders": 2}, "agents: lock_and_return has exactly one agent"),
    ("lock_and_return", {"layout__kind": "grid", "layout__grid_rooms": [7, 7]}, "layout.grid_rooms: 7 x 7 rooms"),
    ("object_counting", {"rules__prep_fraction": 0.5}, "rules.prep_fraction: the watch phase must last"),
    ("object_counting", {"task__box_speed": 0.2}, "rules.prep_fraction: a watch phase of 19 steps is shorter"),
    ("object_counting", {"layout__doors_per_wall": 1}, "layout: object_counting needs kind grid"),
    ("object_counting", {"boxes__count": 11}, "boxes.count: at most 10 boxes"),
]


@pytest.mark.parametrize("name, overrides, message", BROKEN)
def test_broken_task_scenario_names_the_key(name, overrides, message):
    with pytest.raises(scenarios.InputError, match=message.replace(".", r"\.")):
        scenarios.load(name, **overrides)


def test_unknown_task_key_is_an_error():
    with pytest.raises(scenarios.InputError, match="task.blueprint_construction.sites: unknown key"):
        arena.parallel_env("blueprint_construction", task__sites=3)
