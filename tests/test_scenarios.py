"""The authoring language: built-ins load, bad input names the file, the key and the reason."""
import json
import subprocess
import sys

import pytest

import scenarios
from scenarios import InputError


def test_builtins_load_and_default_is_quadrant():
    assert {"hide_and_seek_quadrant", "hide_and_seek_rooms"} <= set(scenarios.names())
    quadrant = scenarios.load()
    assert quadrant.name == "hide_and_seek_quadrant"
    assert (quadrant.horizon, quadrant.agents.hiders.max, quadrant.agents.seekers.max) == (80, 2, 2)
    assert (quadrant.boxes.count.max, quadrant.ramps.count.max, quadrant.prep_steps) == (2, 1, 32)
    rooms = scenarios.load("hide_and_seek_rooms")
    assert (rooms.layout.rooms.min, rooms.layout.rooms.max, rooms.boxes.count.max, rooms.horizon) == (1, 4, 9, 240)


def test_scenario_is_frozen():
    with pytest.raises(Exception):
        scenarios.load().horizon = 3


def test_overrides_reach_nested_keys():
    sc = scenarios.load("hide_and_seek_quadrant", horizon=40, agents__hiders=[1, 3], sensors__lidar_rays=8)
    assert (sc.horizon, sc.agents.hiders.min, sc.agents.hiders.max, sc.sensors.lidar_rays) == (40, 1, 3, 8)


@pytest.mark.parametrize("text, where, reason", [
    ("agents: {hidrs: 2}", "agents.hidrs", "unknown key"),
    ("horizon: ten", "horizon", "valid integer"),
    ("boxes: {count: -1}", "boxes.count.min", "greater than or equal to 0"),
    ("boxes: {count: [5, 2]}", "boxes.count", "min (5) is larger than max (2)"),
    ("layout: {kind: quadrant, room_cells: 3}", "layout.room_cells", "cannot fit"),
    ("layout: {kind: rooms, rooms: 9}", "layout.rooms", "do not fit"),
    ("layout: {door_cells: 1}", "layout.door_cells", "too narrow"),
    ("layout: {door_dropout: 1.5}", "layout.door_dropout", "less than or equal to 1"),
    ("agents: {hiders: 0, seekers: 0}", "agents", "at least one agent"),
    ("task: {kind: tag}", "task", "tag"),
])
def test_bad_input_names_file_key_and_reason(tmp_path, text, where, reason):
    path = tmp_path / "mine.yaml"
    path.write_text(text)
    with pytest.raises(InputError) as error:
        scenarios.load(path)
    message = str(error.value)
    assert str(path) in message and where in message and reason in message


def test_unparseable_yaml_names_the_line(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("horizon: 80\nagents: {hiders: [1, 2}\n")
    with pytest.raises(InputError, match=r"broken.yaml:2:\d+: YAML does not parse"):
        scenarios.load(path)


def test_not_a_mapping_and_missing_file(tmp_path):
    path = tmp_path / "list.yaml"
    path.write_text("- 1\n- 2\n")
    with pytest.raises(InputError, match="must be a mapping"):
        scenarios.load(path)
    with pytest.raises(InputError, match="no such scenario file"):
        scenarios.load(tmp_path / "nope.yaml")
    with pytest.raises(InputError, match="unknown scenario 'nope'"):
        scenarios.load("nope")


def arena_cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "agents.cli", *args], capture_output=True, text=True, cwd=cwd)


def test_cli_lists_validates_and_prints_schema(tmp_path):
    listing = arena_cli("scenarios")
    assert listing.returncode == 0 and "hide_and_seek_quadrant" in listing.stdout
    schema = json.loads(arena_cli("scenarios", "schema").stdout)
    assert "horizon" in schema["properties"]
    good = arena_cli("validate", str(scenarios.BUILTIN_DIR / "hide_and_seek_rooms.yaml"))
    assert good.returncode == 0 and "ok" in good.stdout


def test_cli_bad_input_exits_2_without_traceback(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("agents: {hidrs: 2}\n")
    for result in (arena_cli("validate", str(bad)), arena_cli("preview", str(bad), "--out", str(tmp_path / "x.png")),
                   arena_cli("preview", "--out", str(tmp_path / "x.jpg")), arena_cli("bench", "--seconds", "-1"),
                   arena_cli("scenarios", "scheme")):
        assert result.returncode == 2, result
        assert "Traceback" not in result.stderr
        assert "error" in result.stderr
    assert "agents.hidrs: unknown key" in arena_cli("validate", str(bad)).stderr


def test_cli_preview_writes_a_png(tmp_path):
    out = tmp_path / "layout.png"
    result = arena_cli("preview", "hide_and_seek_rooms", "--seed", "2", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [p.name for p in tmp_path.iterdir()] == ["layout.png"]


def test_cli_bench_reports_both_rates():
    result = arena_cli("bench", "--seconds", "0.3")
    assert result.returncode == 0, result.stderr
    assert "env-steps/s" in result.stdout and "bare physics" in result.stdout and "trainer's TeamEnv" in result.stdout
