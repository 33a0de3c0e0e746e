"""A run interrupted and resumed learns exactly as one that never stopped: weights, optimiser state,
normalisers, curriculum, opponent pool and RNG all come back. The envs' episodes here end with
every rollout, so that the resumed envs start where the unbroken run's do."""
import json

import pytest
import torch

from agents import config
from agents.commands.learn import env_factory
from agents.trainer import Trainer

VARYING = ("steps_per_s",)


def metrics(run):
    return [{k: v for k, v in json.loads(line).items() if k not in VARYING}
            for line in (run / "metrics.jsonl").read_text().splitlines()]


def interrupted_at(trainer, update):
    def hook(episodes):
        if trainer.updates == update:
            raise KeyboardInterrupt
        return {}
    trainer.metric_hooks.append(hook)


def train_both_ways(tmp_path, cfg, make_env, hooks=()):
    whole, broken = tmp_path / "whole", tmp_path / "broken"
    trainer = Trainer(cfg, make_env, whole)
    trainer.metric_hooks.extend(hooks)
    trainer.train()
    trainer = Trainer(cfg, make_env, broken)
    trainer.metric_hooks.extend(hooks)
    interrupted_at(trainer, 3)  # the checkpoint of update 2 stays
    with pytest.raises(KeyboardInterrupt):
        trainer.train()
    resumed = Trainer(cfg, make_env, broken, resume=True)
    resumed.metric_hooks.extend(hooks)
    resumed.train()
    return whole, broken


def assert_same_run(whole, broken):
    assert [m["update"] for m in metrics(broken)] == [1, 2, 3, 4, 5]
    assert metrics(broken) == metrics(whole)
    a, b = (torch.load(run / "checkpoint.pt", weights_only=True) for run in (whole, broken))
    for key in ("policies", "algos", "pool", "curriculum", "entropy_floors", "rng"):
        assert repr(a[key]) == repr(b[key]), key


def test_resume_is_exact_on_a_gymnasium_task(tmp_path):
    # Pendulum's episodes last 200 steps: one per env and rollout
    cfg = config.resolve("ppo", ("test", dict(target="gym:Pendulum-v1", steps=200 * 2 * 5, envs=2, rollout_len=200,
                                              minibatches=2, epochs=2, hidden=[16], checkpoint_every=2,
                                              checkpoint_minutes=0.0, workers=1)))
    assert_same_run(*train_both_ways(tmp_path, cfg, env_factory(cfg.target, {})))


def test_resume_is_exact_on_the_arena_with_pool_curriculum_and_entropy_floor(tmp_path):
    from agents.commands.learn import stage_rates

    env_kwargs = {"horizon": 16}
    cfg = config.resolve("mappo", ("test", dict(
        target="hide_and_seek_quadrant", env_kwargs=env_kwargs, steps=16 * 2 * 5, envs=2, rollout_len=16,
        minibatches=1, epochs=1, hidden=[16], checkpoint_every=2, checkpoint_minutes=0.0, workers=1,
        opponent_pool=2, pool_every=1, pool_prob=0.5, curriculum={"spawn__boxes_at_doors": [1.0, 0.0]},
        curriculum_stages=4, entropy_target={"hider": 1.0}, encoder="mlp")))
    assert_same_run(*train_both_ways(tmp_path, cfg, env_factory(cfg.target, env_kwargs, flat=True),
                                     hooks=[stage_rates]))
