"""The PettingZoo tutorial path on the default scenario: SuperSuit turns the parallel env into a
vector env of its agents (one shared policy), Stable-Baselines3's PPO trains on it, and SB3's
VecMonitor keeps its own "episode" entry beside our statistics."""
import numpy as np
import pytest
import supersuit as ss
import torch
from stable_baselines3 import PPO
from stable_baselines3.common.callbacks import BaseCallback
from stable_baselines3.common.vec_env import VecMonitor

import arena

pytestmark = pytest.mark.usefixtures("one_torch_thread")

N_ENVS = 2
ROLLOUTS = 8


class EpisodeStats(BaseCallback):
    def __init__(self):
        super().__init__()
        self.stats = []

    def _on_step(self) -> bool:
        self.stats += [info[arena.STATS_INFO_KEY] for info in self.locals["infos"] if arena.STATS_INFO_KEY in info]
        return True


def _venv(monitor=True):
    env = arena.parallel_env(flat_observations=True)
    venv = ss.concat_vec_envs_v1(ss.pettingzoo_env_to_vec_env_v1(env), N_ENVS, num_cpus=0,
                                 base_class="stable_baselines3")
    return (VecMonitor(venv) if monitor else venv), env


def test_supersuit_vector_env_has_one_slot_per_agent_and_our_spaces():
    venv, env = _venv()
    assert venv.num_envs == N_ENVS * len(env.possible_agents)
    assert venv.observation_space == env.observation_space("hider_0")
    assert venv.action_space == env.action_space("seeker_0")
    obs = venv.reset()
    assert obs.shape == (venv.num_envs, *env.observation_space("hider_0").shape) and np.isfinite(obs).all()


def test_sb3_ppo_trains_and_monitors_episodes_beside_our_statistics():
    torch.manual_seed(0)
    venv, env = _venv()
    model = PPO("MlpPolicy", venv, n_steps=env.max_cycles, batch_size=320, n_epochs=2, device="cpu")
    before = [p.detach().clone() for p in model.policy.parameters()]
    callback = EpisodeStats()
    model.learn(total_timesteps=ROLLOUTS * env.max_cycles * venv.num_envs, callback=callback)
    assert model.num_timesteps == ROLLOUTS * env.max_cycles * venv.num_envs
    assert any(not torch.equal(b, p) for b, p in zip(before, model.policy.parameters()))
    episodes = list(model.ep_info_buffer)
    assert len(episodes) == ROLLOUTS * venv.num_envs
    assert all(e["l"] == env.max_cycles and np.isfinite(e["r"]) for e in episodes)
    assert len(callback.stats) == len(episodes)
    assert all(0.0 <= s["hidden_fraction"] <= 1.0 for s in callback.stats)


def test_sb3_ppo_without_a_monitor_finds_no_episode_entry_to_misread():
    venv, env = _venv(monitor=False)
    model = PPO("MlpPolicy", venv, n_steps=env.max_cycles, batch_size=320, n_epochs=1, device="cpu")
    model.learn(total_timesteps=env.max_cycles * venv.num_envs)  # SB3 reads infos["episode"] as {r, l, t}
    assert model.num_timesteps == env.max_cycles * venv.num_envs and not model.ep_info_buffer
