"""Scenarios that validate must reset: every built-in and every scenario file under tests/ resets on
1,000 seeds; layouts that cannot be drawn are drawn again from the same seed stream; scenarios that
can never spawn fail `arena validate` with one line naming what does not fit."""
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import arena
import scenarios
from arena import feasibility, layouts
from scenarios.errors import InputError

TEST_YAMLS = sorted(Path(__file__).parent.rglob("*.yaml"))


def validate(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "agents.cli", "validate", str(path)], capture_output=True, text=True)


@pytest.mark.parametrize("scenario", scenarios.names() + [str(p) for p in TEST_YAMLS])
def test_every_validated_scenario_resets_on_1000_seeds(scenario):
    env = arena.parallel_env(scenario)
    for seed in range(1000):
        env.reset(seed=seed)


@pytest.mark.parametrize("override", [{"layout__door_cells": 4}, {"layout__doors_per_wall": 2},
                                      {"layout__rooms": 6, "layout__min_room_cells": 7}])
def test_rooms_layouts_that_once_failed_now_reset_on_every_seed(override):
    env = arena.parallel_env("hide_and_seek_rooms", **override)
    for seed in range(300):
        env.reset(seed=seed)


def test_a_redrawn_layout_is_the_same_for_the_same_seed():
    sc = scenarios.load("hide_and_seek_rooms", layout__door_cells=4)
    for seed in range(40):
        a, b = (layouts.generate(sc, np.random.default_rng(seed)) for _ in range(2))
        np.testing.assert_array_equal(a.walls, b.walls)


def test_an_impossible_layout_is_an_input_error_naming_the_scenario():
    sc = scenarios.load("hide_and_seek_rooms", layout__rooms=6, layout__min_room_cells=14)
    with pytest.raises(InputError, match="scenario 'hide_and_seek_rooms': no layout could be drawn"):
        layouts.generate(sc, np.random.default_rng(0))


@pytest.mark.parametrize("yaml, message", [
    ("boxes: {count: 100}", r"need 4\d\.\d m2 of floor"),
    ("boxes: {size: 50}", "boxes.size: an object 70.71 m across does not fit"),
    ("agents: {hiders: 100}\nspawn: {hiders: room}", "cannot place entity .* in region 'room'"),
])
def test_scenarios_that_can_never_spawn_fail_validation(tmp_path, yaml, message):
    path = tmp_path / "crowded.yaml"
    path.write_text(f"name: crowded\n{yaml}\n")
    result = validate(path)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "crowded" in result.stderr
    assert re.search(message, result.stderr), result.stderr


def test_feasibility_passes_every_builtin():
    for name in scenarios.names():
        feasibility.check(scenarios.load(name), seeds=3)


def test_a_spawn_failure_on_reset_is_an_input_error_not_a_traceback():
    env = arena.parallel_env("hide_and_seek_quadrant", agents__hiders=100, spawn__hiders="room")
    with pytest.raises(InputError, match="scenario 'hide_and_seek_quadrant': cannot place"):
        env.reset(seed=0)


def test_boxes_at_doors_without_a_hiders_room_is_a_validation_error():
    with pytest.raises(InputError, match="spawn.boxes_at_doors: the open layout"):
        scenarios.load("hide_and_seek_quadrant", layout__kind="open", spawn__boxes_at_doors=0.5)
    scenarios.load("hide_and_seek_quadrant", spawn__boxes_at_doors=0.5)   # a quadrant has its room
