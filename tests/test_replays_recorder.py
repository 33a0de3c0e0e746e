from dataclasses import fields

import numpy as np
import pytest
import yaml

import arena
import scenarios
from arena.snapshot import Static
from replays import format as fmt
from replays.recorder import RecordEpisodes


def play(env, seed, steps=None):
    """Random actions; returns the snapshots, actions and rewards the env produced."""
    rng = np.random.default_rng(seed)
    env.reset(seed=seed)
    snapshots, actions, rewards = [env.unwrapped.snapshot], [], []
    while env.agents and (steps is None or len(actions) < steps):
        act = {a: rng.integers(0, [11, 11, 11, 2, 2]) for a in env.agents}
        order = list(env.agents)
        _, rew, _, _, _ = env.step(act)
        snapshots.append(env.unwrapped.snapshot)
        actions.append([act[a] for a in order])
        rewards.append([rew[a] for a in order])
    return snapshots, np.array(actions), np.array(rewards)


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    out = tmp_path_factory.mktemp("replays")
    env = RecordEpisodes(arena.parallel_env("hide_and_seek_quadrant"), out,
                         meta_extra={"run": "test-run", "checkpoint": out / "ckpt_7.pt"})
    episode = play(env, seed=np.int64(11))
    play(env, seed=12, steps=5)
    play(env, seed=13)
    env.close()
    return env, out, episode


def test_one_file_per_finished_episode_and_a_cut_episode_is_dropped(recorded):
    env, out, _ = recorded
    assert [p.name for p in env.written] == ["episode_00000.replay.npz", "episode_00001.replay.npz"]
    assert sorted(p.name for p in out.iterdir()) == [p.name for p in env.written]
    assert fmt.load(env.written[1]).meta["seed"] == 13


def test_numbering_continues_after_the_files_already_there(recorded):
    _, out, _ = recorded
    env = RecordEpisodes(arena.parallel_env("hide_and_seek_quadrant", horizon=3), out)
    play(env, seed=1)
    assert env.written[0].name == "episode_00002.replay.npz"
    env.written[0].unlink()


def test_the_real_env_round_trips_through_a_replay(recorded, tmp_path):
    env, _, (snapshots, actions, rewards) = recorded
    replay = fmt.load(env.written[0])
    assert replay.num_frames == len(snapshots) == 81
    assert np.array_equal(replay.actions, actions) and np.array_equal(replay.rewards, rewards.astype(np.float32))
    for k in (0, 40, 80):
        stored, live = replay.snapshot(k), snapshots[k]
        assert stored.t == live.t
        assert np.abs(stored.agent_pos - live.agent_pos).max() <= 0.5e-3 + 1e-12
        assert np.abs(stored.obj_pos - live.obj_pos).max() <= 0.5e-3 + 1e-12
        assert np.abs(stored.lidar - live.lidar).max() <= live.static.lidar_range / 510 + 1e-6
        for name in ("agent_elevated", "agent_grab", "obj_lock", "sees_agent", "sees_obj"):
            assert np.array_equal(getattr(stored, name), getattr(live, name)), name
    for field in fields(Static):
        assert np.array_equal(getattr(replay.static, field.name), getattr(snapshots[0].static, field.name)), field.name
    fmt.save(replay, tmp_path / "again.replay.npz")
    again = fmt.load(tmp_path / "again.replay.npz")
    assert all(np.array_equal(a, b) for a, b in zip(replay.arrays().values(), again.arrays().values()))


def test_meta_names_the_scenario_seed_run_and_statistics(recorded, tmp_path):
    env, _, _ = recorded
    meta = fmt.load(env.written[0]).meta
    (tmp_path / "scenario.yaml").write_text(meta["scenario_yaml"])
    assert scenarios.load(str(tmp_path / "scenario.yaml")) == env.unwrapped.scenario
    assert meta["seed"] == 11 and meta["run"] == "test-run" and meta["checkpoint"].endswith("/ckpt_7.pt")
    assert meta["dt"] == env.unwrapped.scenario.world.physics.step_seconds
    assert yaml.safe_load(meta["scenario_yaml"]) == env.unwrapped.scenario.model_dump(mode="json")
    assert [a["name"] for a in meta["entities"]["agents"]] == ["hider_0", "hider_1", "seeker_0", "seeker_1"]
    replay = fmt.load(env.written[0])
    team, prep = replay.static.agent_team, replay.static.prep_steps
    seen = [replay.snapshot(f).sees_agent[np.ix_(team == 1, team == 0)].any() for f in range(prep + 1, replay.num_frames)]
    assert meta["episode_stats"]["hider_0"]["hidden_fraction"] == pytest.approx(1 - np.mean(seen))
    assert meta["versions"]["numpy"] == np.__version__


def test_a_full_game_episode_file_is_well_under_100_kb(tmp_path):
    env = RecordEpisodes(arena.parallel_env("hide_and_seek_rooms", agents__hiders=3, agents__seekers=3,
                                              boxes__count=9), tmp_path)
    _, actions, _ = play(env, seed=5)
    assert len(actions) == 240
    assert env.written[0].stat().st_size < 80_000


def test_the_tasks_ramp_crossing_counter_is_kept_every_frame(tmp_path):
    """Format 2 keeps the task's running `seeker_crossings` per frame (set by hand here, as random
    play seldom crosses); the last value is the episode statistic. Other tasks have no such array."""
    env = RecordEpisodes(arena.parallel_env("hide_and_seek_quadrant", horizon=12), tmp_path)
    env.reset(seed=3)
    seen = [0]
    while env.agents:
        env.unwrapped.task.seeker_crossings = len(seen) // 4
        env.step({a: env.action_space(a).sample() for a in env.agents})
        seen.append(env.unwrapped.task.seeker_crossings)
    replay = fmt.load(env.written[0])
    assert replay.meta["format_version"] == 2
    assert replay.frames["seeker_crossings"].tolist() == seen == [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3]
    assert replay.meta["episode_stats"]["seeker_0"]["seeker_ramp_crossings"] == 3
    other = RecordEpisodes(arena.parallel_env("sequential_lock", horizon=4), tmp_path / "other")
    other.reset(seed=0)
    while other.agents:
        other.step({a: other.action_space(a).sample() for a in other.agents})
    assert "seeker_crossings" not in fmt.load(other.written[0]).frames
