import json
import struct
import zipfile
from dataclasses import fields

import numpy as np
import pytest

from arena.snapshot import Static
from replays import format as fmt
from scenarios.errors import InputError
from test_replays_helpers import agent_names, make_episode, make_static

META = {"seed": 7, "dt": 0.25, "scenario_yaml": "name: test\n", "teams": list(fmt.TEAM_NAMES)}


def record(static=None, steps=None, seed=0):
    snapshots, actions, rewards = make_episode(static, steps, seed)
    names = agent_names(snapshots[0].static)
    return snapshots, fmt.Replay.from_episode(snapshots, actions, rewards, names, META), actions, rewards


def assert_same_replay(a: fmt.Replay, b: fmt.Replay):
    assert a.meta == b.meta
    arrays_a, arrays_b = a.arrays(), b.arrays()
    assert arrays_a.keys() == arrays_b.keys()
    for name in arrays_a:
        assert arrays_a[name].dtype == arrays_b[name].dtype, name
        assert arrays_a[name].tobytes() == arrays_b[name].tobytes(), name


def test_save_load_save_is_bit_for_bit(tmp_path):
    _, replay, _, _ = record()
    fmt.save(replay, tmp_path / "a.replay.npz")
    loaded = fmt.load(tmp_path / "a.replay.npz")
    assert_same_replay(replay, loaded)
    fmt.save(loaded, tmp_path / "b.replay.npz")
    assert_same_replay(loaded, fmt.load(tmp_path / "b.replay.npz"))
    for field in fields(Static):
        assert np.array_equal(getattr(loaded.static, field.name), getattr(replay.static, field.name)), field.name


def test_stored_values_equal_the_recorded_ones_at_the_documented_precision(tmp_path):
    snapshots, replay, actions, rewards = record()
    fmt.save(replay, tmp_path / "e.replay.npz")
    loaded = fmt.load(tmp_path / "e.replay.npz")
    assert loaded.num_frames == len(snapshots)
    assert np.array_equal(loaded.actions, actions) and np.array_equal(loaded.rewards, rewards)
    for k, original in enumerate(snapshots):
        decoded = loaded.snapshot(k)
        assert decoded.t == original.t and decoded.static is loaded.static
        for name in ("agent_pos", "obj_pos"):
            assert np.abs(getattr(decoded, name) - getattr(original, name)).max() <= 0.5e-3 + 1e-12
        for name in ("agent_angle", "obj_angle"):
            diff = np.angle(np.exp(1j * (getattr(decoded, name) - getattr(original, name))))
            assert np.abs(diff).max() <= np.pi / 65536 + 1e-12
        for name in ("agent_vel", "obj_vel", "agent_angvel", "obj_angvel"):
            np.testing.assert_allclose(getattr(decoded, name), getattr(original, name), rtol=1e-3, atol=1e-4)
        assert np.abs(decoded.lidar - original.lidar).max() <= 6.0 / 510 + 1e-6
        assert decoded.lidar.dtype == np.float32
        for name in ("agent_elevated", "agent_grab", "obj_lock", "sees_agent", "sees_obj"):
            assert np.array_equal(getattr(decoded, name), getattr(original, name)), name
    assert np.array_equal(loaded.reward(0), np.zeros(4)) and np.array_equal(loaded.reward(3), rewards[2])


def test_a_full_game_episode_is_well_under_100_kb(tmp_path):
    static = make_static(hiders=3, seekers=3, boxes=9, ramps=2, horizon=240)
    _, replay, _, _ = record(static)
    fmt.save(replay, tmp_path / "full.replay.npz")
    assert (tmp_path / "full.replay.npz").stat().st_size < 80_000


@pytest.fixture
def saved(tmp_path):
    path = tmp_path / "ok.replay.npz"
    fmt.save(record(steps=10)[1], path)
    return path


@pytest.mark.parametrize("keep", [0, 10, 200, 0.5, 0.9, -1])
def test_a_truncated_file_is_an_input_error(saved, keep):
    data = saved.read_bytes()
    saved.write_bytes(data[:keep if isinstance(keep, int) else int(len(data) * keep)])
    with pytest.raises(InputError, match="ok.replay.npz"):
        fmt.load(saved)


def member_data(path) -> list[tuple[int, int]]:
    """(start, end) of each member's compressed bytes: a local header's extra field (zip64 sizes)
    is not read back, so flipping bits there leaves a sound file."""
    raw = path.read_bytes()
    with zipfile.ZipFile(path) as z:
        spans = []
        for info in z.infolist():
            name_len, extra_len = struct.unpack("<HH", raw[info.header_offset + 26:info.header_offset + 30])
            start = info.header_offset + 30 + name_len + extra_len
            spans.append((start, start + info.compress_size))
    return spans


@pytest.mark.parametrize("where", [0.1, 0.3, 0.5, 0.7])
def test_a_corrupted_file_is_an_input_error(saved, where):
    data = bytearray(saved.read_bytes())
    at = int(len(data) * where)
    start, end = next(span for span in member_data(saved) if span[1] >= at + 16)   # in, or else after, `at`
    at = min(max(at, start), end - 16)
    data[at:at + 16] = bytes(b ^ 0x5A for b in data[at:at + 16])
    saved.write_bytes(bytes(data))
    with pytest.raises(InputError, match="ok.replay.npz"):
        fmt.load(saved)


def rewrite(path, edit_meta=lambda m: m, drop=()):
    with np.load(path) as npz:
        arrays = {k: npz[k] for k in npz.files if k not in drop}
    meta = edit_meta(json.loads(arrays.pop("meta").tobytes()))
    np.savez_compressed(path, meta=np.frombuffer(json.dumps(meta).encode(), np.uint8), **arrays)


def test_a_newer_format_version_is_an_input_error(saved):
    rewrite(saved, lambda m: {**m, "format_version": fmt.FORMAT_VERSION + 1})
    with pytest.raises(InputError, match=f"ok.replay.npz.*version {fmt.FORMAT_VERSION + 1}.*upgrade"):
        fmt.load(saved)


def test_a_missing_array_is_an_input_error(saved):
    rewrite(saved, drop=("frame/lidar",))
    with pytest.raises(InputError, match="'frame/lidar' is missing"):
        fmt.load(saved)


def test_an_array_of_the_wrong_shape_is_an_input_error(saved):
    rewrite(saved, lambda m: {**m, "static": {**m["static"], "lidar_angles": [0.0, 1.0]}})
    with pytest.raises(InputError, match="'frame/lidar' is uint8\\[11, 4, 30\\], expected uint8\\[11, 4, 2\\]"):
        fmt.load(saved)


def test_other_files_are_input_errors(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    with zipfile.ZipFile(tmp_path / "other.npz", "w") as z:
        z.writestr("x.npy", b"nonsense")
    np.savez(tmp_path / "plain.npz", x=np.zeros(3))
    for name in ("notes.txt", "other.npz", "plain.npz", "missing.replay.npz"):
        with pytest.raises(InputError, match=name):
            fmt.load(tmp_path / name)
