import gymnasium as gym
import numpy as np
import pytest
import torch

from agents import config
from agents.buffer import Collector, gae, minibatches, sequences
from agents.policy import TeamPolicy
from agents.vec import InProcessVecEnv, make_vec_env


def test_gae_matches_hand_computed_values_with_truncation_and_termination():
    # two envs side by side; env 0 is truncated after step 1, env 1 terminates after step 1
    rewards = torch.tensor([[1.0, 1.0], [2.0, 2.0], [3.0, 3.0]])
    values = torch.tensor([[0.5, 0.5], [1.0, 1.0], [1.5, 1.5]])
    # next_values[1] of env 0 is V(final observation) = 4.0, the bootstrap of the truncated episode
    next_values = torch.tensor([[1.0, 1.0], [4.0, 4.0], [2.0, 2.0]])
    terminated = torch.tensor([[0.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
    dones = torch.tensor([[0.0, 0.0], [1.0, 1.0], [0.0, 0.0]])
    adv = gae(rewards, values, next_values, terminated, dones, gamma=0.9, lam=0.8)
    # env 0: d2 = 3 + .9*2 - 1.5 = 3.3; d1 = 2 + .9*4 - 1 = 4.6 (episode ends); d0 = 1 + .9*1 - .5 = 1.4
    #        A0 = 1.4 + .9*.8*4.6 = 4.712
    # env 1: d1 = 2 - 1 = 1.0 (no bootstrap after termination); A0 = 1.4 + .72*1.0 = 2.12
    expected = torch.tensor([[4.712, 2.12], [4.6, 1.0], [3.3, 3.3]])
    assert torch.allclose(adv, expected, atol=1e-5)


class Countdown(gym.Env):
    """Observation is the step counter; every episode is truncated after 3 steps."""

    observation_space = gym.spaces.Box(0, 10, (1,), np.float32)
    action_space = gym.spaces.Discrete(2)

    def reset(self, seed=None, options=None):
        super().reset(seed=seed)
        self.t = 0
        return np.array([0.0], np.float32), {}

    def step(self, action):
        self.t += 1
        return np.array([float(self.t)], np.float32), 1.0, False, self.t >= 3, {}


def _policy(spec, **overrides):
    cfg = config.resolve("ppo", ("test", {"norm_obs": False, **overrides}))
    return TeamPolicy(spec.teams[0], spec.state_dim, cfg)


def test_collector_bootstraps_truncated_episodes_from_the_final_observation():
    vec = make_vec_env(Countdown, 2, workers=1)
    policy = _policy(vec.spec)
    vec.reset(0)
    collector = Collector(vec, {"agent": policy}, T=4, device="cpu")
    episodes = collector.collect()
    ro = collector.rollouts["agent"]
    value = lambda x: policy.value({"": torch.full((1, 1, 1), x)}, None, torch.zeros(1, 1))[0].item()  # noqa
    assert [e["return/agent"] for e in episodes] == [3.0, 3.0]
    assert ro.dones[:, 0].tolist() == [0, 0, 1, 0] and ro.terminated.sum() == 0
    assert ro.next_values[2, 0].item() == pytest.approx(value(3.0), abs=1e-6)  # final obs, not the reset obs
    assert ro.next_values[0, 0].item() == pytest.approx(ro.values[1, 0].item())
    assert ro.next_values[3, 0].item() == pytest.approx(value(1.0), abs=1e-6)  # bootstrap after the rollout
    vec.close()


def test_each_step_is_normalised_with_the_statistics_of_every_step_before_it():
    vec = make_vec_env(Countdown, 2, workers=1)
    policy = _policy(vec.spec, norm_obs=True)
    vec.reset(0)
    collector = Collector(vec, {"agent": policy}, T=4, device="cpu")
    collector.collect()
    inputs = collector.rollouts["agent"].actor_in[""][:, :, 0].numpy()
    count, mean, var = 1e-4, 0.0, 1.0     # RunningNorm's prior, then parallel Welford by step
    for t, x in enumerate([0.0, 1.0, 2.0, 0.0]):   # each env: 0, 1, 2, truncated, reset to 0
        expected = np.clip((x - mean) / np.sqrt(var + 1e-8), -10, 10)
        np.testing.assert_allclose(inputs[t], [expected] * 2, rtol=1e-4)
        total = count + 2
        var = (var * count + (mean - x) ** 2 * count * 2 / total) / total
        mean, count = mean + (x - mean) * 2 / total, total
    assert policy.obs_norm.count.item() == pytest.approx(8, abs=1e-3)   # every step of the rollout taken in
    vec.close()


def test_process_workers_write_the_same_arrays_as_in_process_envs():
    runs = []
    for workers in (1, 2):
        vec = make_vec_env(Countdown, 3, workers=workers)
        vec.reset(0)
        seen = []
        for _ in range(4):
            vec.arrays["action/agent"][:] = 1
            vec.step()
            seen.append({k: v.copy() for k, v in vec.arrays.items()})
        runs.append(seen)
        vec.close()
    assert isinstance(make_vec_env(Countdown, 1), InProcessVecEnv)
    for a, b in zip(*runs):
        assert a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)


def test_recurrent_minibatches_are_chunks_that_cover_the_batch_once():
    T, B, L = 6, 4, 3
    step_id = torch.arange(T * B, dtype=torch.float32).reshape(T, B)
    batch = {"mask": step_id, "actor_in": {"": step_id[..., None]}, "h_actor": step_id[..., None].repeat(1, 1, 2),
             "h_critic": None}
    seen = []
    for mb in minibatches(sequences(batch, L), 2):
        x = mb["actor_in"][""][..., 0]
        assert x.shape == (L, 4)
        assert torch.equal(x[1:] - x[:-1], torch.full((L - 1, 4), float(B)))  # consecutive steps of one env
        assert torch.equal(mb["h_actor"][0, :, 0], x[0])  # hidden state stored at the chunk start
        seen += x.flatten().tolist()
    assert sorted(seen) == list(range(T * B))


def test_grouped_minibatches_keep_a_teams_rows_together_and_in_order():
    T, B = 5, 6  # 3 envs x 2 agents, agent-minor
    row = torch.arange(T * B, dtype=torch.float32).reshape(T, B)
    batch = {"mask": row, "actor_in": {"": row[..., None]}, "h_actor": None, "h_critic": None}
    seen = []
    for mb in minibatches(sequences(batch, 1), 4, torch.Generator().manual_seed(0), group=2):
        x = mb["actor_in"][""][0, :, 0].long()
        assert torch.equal(x % 2, torch.arange(len(x)) % 2) and torch.equal(x[1::2] - x[::2], torch.ones(len(x) // 2, dtype=torch.long))
        seen += x.tolist()
    assert sorted(seen) == list(range(T * B)) and seen != sorted(seen)
