"""The Ray backend (agents/ray_vec.py) on a local Ray of 2 CPUs: it learns, matches the local
backend, survives a killed worker and a stuck one, resumes, and refuses an unreachable cluster."""
import contextlib
import functools
import json
import os
import signal

import gymnasium as gym
import pytest

ray = pytest.importorskip("ray")

from agents import config  # noqa: E402
from agents.cli import main  # noqa: E402
from agents.commands.learn import env_factory  # noqa: E402
from agents.trainer import Trainer, evaluate  # noqa: E402

SMALL_MAPPO = dict(target="hide_and_seek_quadrant", envs=2, rollout_len=16, seed=3)


@pytest.fixture(scope="module", autouse=True)
def local_ray():
    # the workers import pz:test_agents_toys as a cluster's nodes would: from their own path
    tests = os.path.dirname(os.path.abspath(__file__))
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, runtime_env={"env_vars": {"PYTHONPATH": tests}})
    yield
    ray.shutdown()


def metrics(run) -> list[dict]:
    return [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]


def train(run, algo: str, steps: int, **overrides) -> Trainer:
    cfg = config.resolve(algo, ("test", dict(steps=steps, **overrides)))
    trainer = Trainer(cfg, env_factory(cfg.target, cfg.env_kwargs), run)
    trainer.train()
    return trainer


def learned(rows: list[dict]) -> list[dict]:
    """What an update learned and saw, without the wall-clock and Ray timing entries."""
    return [{k: v for k, v in row.items() if k != "steps_per_s" and not k.startswith("ray/")} for row in rows]


def test_ray_ppo_solves_cartpole_in_the_local_budget(tmp_path):
    # the settings and budget of tests/test_agents_ppo.py, its 8 envs on 2 workers of 4
    train(tmp_path, "ppo", 100_000, target="gym:CartPole-v1", envs=8, seed=1, rollout_len=32, minibatches=1,
          epochs=20, gamma=0.98, gae_lambda=0.8, lr=1e-3, norm_obs=False, ray="local", ray_workers=2)
    make_env = functools.partial(gym.make, "CartPole-v1")
    assert evaluate(tmp_path, make_env, episodes=10)["mean"]["return/agent"] >= 475


CURRICULUM_AND_POOL = dict(curriculum={"layout__door_dropout": [0.0, 1.0]}, curriculum_stages=3, curriculum_until=0.5,
                           opponent_pool=2, pool_every=1, pool_prob=0.5)


@pytest.mark.parametrize("algo,overrides", [("mappo", SMALL_MAPPO), ("mappo", {**SMALL_MAPPO, **CURRICULUM_AND_POOL}),
                                            ("ppo", dict(target="gym:CartPole-v1", envs=4, rollout_len=32))])
def test_one_ray_worker_reproduces_the_local_run(tmp_path, algo, overrides):
    # the curriculum's env options and the past opponents reach the worker; ppo keeps its input
    # normaliser (norm_obs), which the worker updates and the learner takes back
    train(tmp_path / "local", algo, 3 * overrides["envs"] * overrides["rollout_len"], **overrides)
    train(tmp_path / "ray", algo, 3 * overrides["envs"] * overrides["rollout_len"], **overrides, ray="local",
          ray_workers=1)
    assert learned(metrics(tmp_path / "ray")) == learned(metrics(tmp_path / "local"))
    if "curriculum" in overrides:  # the env options did change during the run
        assert len({m["curriculum/layout__door_dropout"] for m in metrics(tmp_path / "ray")}) > 1


@pytest.mark.parametrize("algo,target", [("trpo", "gym:Pendulum-v1"), ("tnpg", "gym:CartPole-v1"),
                                         ("ippo", "pz:test_agents_toys")])
def test_every_algorithm_and_target_kind_trains_on_ray_workers(tmp_path, algo, target):
    args = ["train", target, "--algo", algo, "--envs", "4", "--rollout-len", "16", "--steps", "128", "--epochs", "1",
            "--run-dir", str(tmp_path), "--ray", "--ray-workers", "2"]
    assert main(args) == 0
    rows = metrics(tmp_path)
    assert [m["step"] for m in rows] == [64, 128] and all(m["ray/workers_lost"] == 0 for m in rows)


def test_two_ray_workers_learn_from_the_same_envs_with_other_action_draws(tmp_path):
    # documented difference: worker 1 samples from a stream of its own, so the numbers part ways
    steps = 2 * SMALL_MAPPO["envs"] * SMALL_MAPPO["rollout_len"]
    train(tmp_path / "local", "mappo", steps, **SMALL_MAPPO)
    train(tmp_path / "ray", "mappo", steps, **SMALL_MAPPO, ray="local", ray_workers=2)
    local, two = metrics(tmp_path / "local"), metrics(tmp_path / "ray")
    assert [m["step"] for m in two] == [m["step"] for m in local]
    assert learned(two) != learned(local)
    assert all(m["ray/workers_lost"] == 0 for m in two)


def test_a_ray_worker_killed_during_an_update_is_restarted_and_nothing_is_lost(tmp_path):
    cfg = config.resolve("ppo", ("test", dict(target="gym:CartPole-v1", envs=4, rollout_len=32, steps=5 * 128,
                                              ray="local", ray_workers=2)))
    trainer = Trainer(cfg, env_factory(cfg.target, cfg.env_kwargs), tmp_path)
    worker = trainer.vec.workers[1]
    victim = ray.get(worker.pid.remote())

    after = []

    def kill_during_update_2(episodes):
        if trainer.updates == 2:  # the hook runs inside the update, while the workers wait
            os.kill(victim, signal.SIGKILL)
        if trainer.updates == 4:
            after.append(ray.get(worker.pid.remote()))
        return {}

    trainer.metric_hooks.append(kill_during_update_2)
    trainer.train()
    rows = metrics(tmp_path)
    assert [m["update"] for m in rows] == [1, 2, 3, 4, 5]
    assert all(m["ray/workers_lost"] == 0 for m in rows)  # the next rollout ran on the restarted worker
    assert all(m["episodes"] > 0 for m in rows)
    assert after and after[0] != victim


def test_a_ray_run_resumes_from_its_checkpoint(tmp_path):
    args = ["train", "gym:CartPole-v1", "--algo", "ppo", "--envs", "4", "--rollout-len", "32", "--run-dir",
            str(tmp_path), "--ray", "--ray-workers", "2", "--checkpoint-every", "1"]
    assert main([*args, "--steps", "256"]) == 0
    assert main(["train", "--resume", str(tmp_path), "--steps", "512"]) == 0
    assert [m["step"] for m in metrics(tmp_path)] == [128, 256, 384, 512]
    assert config.load(tmp_path / "config.yaml").ray == "local"


def test_an_unreachable_ray_address_exits_2_and_writes_nothing(tmp_path, capsys):
    run = tmp_path / "run"
    assert main(["train", "gym:CartPole-v1", "--algo", "ppo", "--run-dir", str(run), "--ray", "127.0.0.1:1"]) == 2
    err = capsys.readouterr().err
    assert "--ray 127.0.0.1:1: cannot reach a Ray cluster" in err and "Traceback" not in err
    assert not run.exists()


def test_envs_per_worker_sets_the_envs_and_needs_ray_workers():
    cfg = config.resolve("ppo", ("flags", dict(ray="local", ray_workers=3, envs_per_worker=5)))
    assert cfg.envs == 15
    with pytest.raises(config.InputError, match="envs_per_worker needs ray"):
        config.resolve("ppo", ("flags", dict(envs_per_worker=5)))


def test_a_stuck_ray_worker_times_out_and_the_update_uses_the_rollouts_that_arrived(tmp_path, monkeypatch):
    from agents import ray_vec

    monkeypatch.setattr(ray_vec, "COLLECT_TIMEOUT", 10.0)
    cfg = config.resolve("ppo", ("test", dict(target="gym:CartPole-v1", envs=4, rollout_len=32, steps=4 * 128,
                                              ray="local", ray_workers=2)))
    trainer = Trainer(cfg, env_factory(cfg.target, cfg.env_kwargs), tmp_path)
    stuck = ray.get(trainer.vec.workers[1].pid.remote())

    def stop_during_update_1(episodes):
        if trainer.updates == 1:
            os.kill(stuck, signal.SIGSTOP)  # alive but never answering: only the timeout ends the wait
        return {}

    trainer.metric_hooks.append(stop_during_update_1)
    try:
        trainer.train()
    finally:
        with contextlib.suppress(ProcessLookupError):  # Ray has usually killed it already
            os.kill(stuck, signal.SIGKILL)
    lost = [m["ray/workers_lost"] for m in metrics(tmp_path)]
    assert lost == [0, 1, 0, 0]
    assert metrics(tmp_path)[1]["episodes"] > 0  # worker 0's envs still count in update 2
