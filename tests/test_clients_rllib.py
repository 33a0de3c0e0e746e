"""RLlib's ParallelPettingZooEnv on the default scenario: PPO (RLlib's new API stack) with one module
per team trains one small iteration on whole episodes."""
import numpy as np
import pytest
import ray
from ray.rllib.algorithms.ppo import PPOConfig
from ray.rllib.core.rl_module.default_model_config import DefaultModelConfig
from ray.rllib.env.wrappers.pettingzoo_env import ParallelPettingZooEnv
from ray.tune.registry import register_env

import arena

pytestmark = pytest.mark.usefixtures("one_torch_thread")

EPISODES = 16


@pytest.fixture
def ray_session():
    ray.init(num_cpus=1, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def _team(agent_id, *args, **kwargs):
    return agent_id.rsplit("_", 1)[0]


def test_rllib_ppo_trains_one_module_per_team(ray_session):
    register_env("arena_default", lambda _: ParallelPettingZooEnv(arena.parallel_env(flat_observations=True)))
    horizon = arena.parallel_env().max_cycles
    config = (PPOConfig()
              .environment("arena_default")
              .multi_agent(policies={"hider", "seeker"}, policy_mapping_fn=_team)
              .env_runners(num_env_runners=0, rollout_fragment_length=horizon)
              .learners(num_learners=0)
              .training(train_batch_size_per_learner=EPISODES * horizon, minibatch_size=4 * horizon, num_epochs=1)
              .rl_module(model_config=DefaultModelConfig(fcnet_hiddens=[32]))
              .debugging(seed=0))
    algo = config.build_algo()
    try:
        before = {m: algo.get_module(m).get_state() for m in ("hider", "seeker")}
        result = algo.train()
        after = {m: algo.get_module(m).get_state() for m in ("hider", "seeker")}
    finally:
        algo.stop()
    runners = result["env_runners"]
    assert runners["num_env_steps_sampled"] == EPISODES * horizon
    assert runners["num_episodes"] == EPISODES and runners["episode_len_min"] == horizon
    returns = runners["module_episode_returns_mean"]
    assert returns["hider"] == pytest.approx(-returns["seeker"]) and abs(returns["hider"]) <= 2 * 0.6 * horizon
    for module in ("hider", "seeker"):
        assert result["learners"][module]["num_module_steps_trained"] > 0
        assert any(not np.array_equal(before[module][k], after[module][k]) for k in before[module])
