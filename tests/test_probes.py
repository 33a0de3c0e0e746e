"""The analysis probes under docs/probes read what they claim to read."""
import importlib.util
import sys
from pathlib import Path

import numpy as np

import arena

PROBES = Path(__file__).parent.parent / "docs" / "probes"
sys.path.insert(0, str(PROBES))   # the probes import their sibling `recorded`, as when run as scripts


def _probe(name: str):
    spec = importlib.util.spec_from_file_location(name, PROBES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_doors_and_room_read_back_from_the_walls_are_the_layouts():
    doors_of, room_of = _probe("recorded").doors_of, _probe("recorded").room_of
    env = arena.parallel_env("hide_and_seek_quadrant")
    counts = set()
    for seed in range(10):
        env.reset(seed=seed)
        layout = env.world.layout
        found = doors_of(layout.walls)
        counts.add(len(found))
        key = lambda d: tuple(np.round(np.concatenate([np.minimum(d[:2], d[2:]), np.maximum(d[:2], d[2:])]), 6))
        assert sorted(map(key, found)) == sorted(map(key, layout.doors))
        assert room_of(env.snapshot.static) == layout.room
    assert counts == {1, 2}


def test_hider_split_tells_split_from_same_box():
    kind = _probe("hider_split").kind
    held = lambda *rows: [np.array(r) for r in rows]
    assert kind(held([0, 0, -1], [-1, 1, 1])) == "split"
    assert kind(held([0, 0, 1], [1, 0, 0])) == "same box"   # each held both; box 0 the longest
    assert kind(held([-1, 1, 1], [-1, -1, -1])) == "one hider"
    assert kind(held([-1, -1], [-1, -1])) == "no box held"


def test_late_locks_finds_a_door_shut_by_a_box_locked_after_the_preparation_phase(tmp_path):
    from replays import format as fmt
    from replays.recorder import RecordEpisodes
    from test_stages import IDLE, LOCK, _fort_episode

    env = RecordEpisodes(arena.parallel_env("hide_and_seek_quadrant", layout__door_dropout=0.0), tmp_path)
    prep = env.unwrapped.scenario.prep_steps
    _fort_episode(env=env, actions_at=lambda t: {"hider_1": LOCK if t >= prep + 3 else IDLE})
    env.close()
    [path] = tmp_path.glob("*.npz")
    replay = fmt.load(path)
    doors = _probe("recorded").doors_of(replay.static.walls)
    [(distance, held, locked_before, locked_after)] = _probe("late_locks").late_boxes(replay, doors)
    assert distance < 0.6 and not held and not locked_before and locked_after == 4


def test_main_phase_tells_a_locked_fort_from_a_door_shut_by_an_unlocked_box(tmp_path):
    from replays import format as fmt
    from replays.recorder import RecordEpisodes
    from test_stages import _fort_episode

    shares = {}
    for lock_both in (True, False):
        directory = tmp_path / str(lock_both)
        env = RecordEpisodes(arena.parallel_env("hide_and_seek_quadrant", layout__door_dropout=0.0), directory)
        _fort_episode(lock_both=lock_both, env=env)
        env.close()
        [path] = directory.glob("*.npz")
        replay = fmt.load(path)
        shares[lock_both] = _probe("main_phase").main_phase_shares(replay, _probe("recorded").doors_of(replay.static.walls))
    hidden, locked, any_box, holds = range(4)
    assert shares[True][locked] == 1.0 and shares[True][any_box] == 1.0
    assert shares[False][locked] == 0.0 and shares[False][any_box] == 1.0
    assert shares[True][holds] == shares[False][holds] == 0.0
