import dataclasses
import json

import gymnasium as gym
import numpy as np
import pytest
import torch

from agents import config, trainer
from agents.buffer import Collector
from agents.mappo import OpponentPool
from agents.trainer import Trainer, build_policies, evaluate, native_bf16, open_envs
from test_agents_toys import HORIZON, competitive_env, parallel_env, split_env


def _cfg(algo, **overrides):
    return config.resolve(algo, ("test", dict(target="pz:test_agents_toys", seed=0, **overrides)))


@pytest.mark.parametrize("bf16", [False, True], ids=["float32", "bfloat16"])
def test_mappo_improves_on_a_cooperative_task(tmp_path, monkeypatch, bf16):
    if bf16 and not native_bf16(torch.device("cpu")):   # run the bf16 branch all the same: torch emulates it
        monkeypatch.setattr(trainer, "native_bf16", lambda device: True)
    cfg = _cfg("mappo", steps=20_000, envs=8, rollout_len=50, epochs=5, minibatches=1, lr=2e-3, workers=1, bf16=bf16)
    run = Trainer(cfg, parallel_env, tmp_path)
    assert run.algos["mate"].cfg.bf16 == bf16
    run.train()
    first = json.loads((tmp_path / "metrics.jsonl").read_text().splitlines()[0])["return/mate"]
    after = evaluate(tmp_path, parallel_env, episodes=40)["mean"]
    # a random team names the digit 1/3 of the time (return ~1.4); the best return is ~4.3
    assert first < 2.0 and after["return/mate"] > 3.5
    assert after["episode/hits"] > 0.8


def test_bf16_without_hardware_support_trains_in_float32_and_says_so(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(trainer, "native_bf16", lambda device: False)
    cfg = _cfg("mappo", steps=400, envs=2, rollout_len=50, workers=1, bf16=True)
    run = Trainer(cfg, parallel_env, tmp_path)
    run.vec.close()
    assert not run.cfg.bf16 and not run.algos["mate"].cfg.bf16
    assert "bf16: false" in (tmp_path / "config.yaml").read_text()
    assert "no native bfloat16" in capsys.readouterr().err


def test_centralised_critic_sees_state_and_agent_id_and_masks_absent_agents():
    for algo, critic_dim in (("mappo", 5 + 2), ("ippo", 5)):
        cfg = _cfg(algo, envs=4, workers=1)
        vec = open_envs(parallel_env, cfg, 4)
        policy = build_policies(vec.spec, cfg, "cpu")["mate"]
        assert policy.central == (algo == "mappo")
        assert policy.critic.trunk.encoder.net[0].normalized_shape == (critic_dim,)
        vec.reset(0)
        collector = Collector(vec, {"mate": policy}, 4 * HORIZON, "cpu")
        collector.collect()
        mask = collector.rollouts["mate"].mask.reshape(4 * HORIZON, 4, 2)
        assert mask[..., 0].all()  # mate_0 always plays
        assert 0 < mask[..., 1].mean() < 3 / HORIZON  # mate_1 is absent from some episodes, always leaves early
        vec.close()


def test_opponent_pool_replaces_one_team_and_masks_its_rows():
    cfg = _cfg("mappo", envs=6, workers=1, opponent_pool=2, pool_prob=1.0)
    vec = open_envs(competitive_env, cfg, 6)
    policies = build_policies(vec.spec, cfg, "cpu")
    pool = OpponentPool(policies, cfg, 6)
    assert pool.assign(torch.Generator().manual_seed(0)) == {}  # nothing to play against yet
    for _ in range(3):
        pool.add(policies)
    assert [len(s) for s in pool.snapshots.values()] == [2, 2]
    opponents = pool.assign(torch.Generator().manual_seed(0))
    rows = sum(r.long() for _, r in opponents.values())
    assert rows.tolist() == [1] * 6  # every env (pool_prob 1) has exactly one past team in it
    vec.reset(0)
    collector = Collector(vec, policies, 4, "cpu")
    collector.set_opponents(opponents)
    collector.collect()
    for team, (_, r) in opponents.items():
        assert not collector.rollouts[team].mask[:, r].any()
        assert collector.rollouts[team].mask[:, ~r].all()
    vec.close()


def _same(a, b) -> bool:
    """Two nested state dicts hold equal tensors, numbers and lists."""
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, torch.Tensor):
        return isinstance(b, torch.Tensor) and a.shape == b.shape and torch.equal(a, b)
    return a == b


def test_self_play_with_an_opponent_pool_trains_and_resumes(tmp_path):
    cfg = _cfg("mappo", steps=1024, envs=4, rollout_len=64, workers=1, opponent_pool=2, pool_every=1, hidden=[16])
    Trainer(cfg, competitive_env, tmp_path).train()
    saved = torch.load(tmp_path / "checkpoint.pt", weights_only=True)
    assert {k: len(v) for k, v in saved["pool"]["snapshots"].items()} == {"hider": 2, "seeker": 2}
    metrics = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    assert all(m["return/hider"] == -m["return/seeker"] for m in metrics if "return/hider" in m)

    longer = dataclasses.replace(cfg, steps=2048)
    fresh = Trainer(longer, competitive_env, tmp_path / "fresh")
    resumed = Trainer(longer, competitive_env, tmp_path, resume=True)
    try:
        for team in ("hider", "seeker"):   # the trained weights, not the initial ones, and the optimiser
            assert _same(resumed.policies[team].state_dict(), saved["policies"][team])
            assert not _same(fresh.policies[team].state_dict(), saved["policies"][team])
            assert _same(resumed.algos[team].state_dict(), saved["algos"][team])
        assert _same(resumed.pool.state_dict(), saved["pool"]) and resumed.step == saved["step"]
        resumed.train()
    finally:
        fresh.close()
    assert resumed.step >= 2048
    after = torch.load(tmp_path / "checkpoint.pt", weights_only=True)
    assert not _same(after["policies"]["hider"], saved["policies"]["hider"])   # it went on learning


def test_one_actor_per_rank_lets_mates_that_see_the_same_thing_act_differently(tmp_path):
    hits = {}
    for per_rank in (False, True):
        cfg = _cfg("mappo", steps=12_000, envs=8, rollout_len=50, epochs=5, minibatches=1, lr=2e-3, workers=1,
                   actor_per_rank=per_rank)
        Trainer(cfg, split_env, tmp_path / str(per_rank)).train()
        hits[per_rank] = evaluate(tmp_path / str(per_rank), split_env, episodes=40)["mean"]["episode/hits"]
    # a shared actor gives both mates the same answer, so at most one of them is right (hits <= 0.5)
    assert hits[False] < 0.6 and hits[True] > 0.8


@pytest.mark.parametrize("recurrent", [False, True], ids=["mlp", "gru"])
def test_ranked_actors_act_for_each_row_with_the_actor_of_its_rank(recurrent):
    cfg = _cfg("mappo", envs=3, workers=1, actor_per_rank=True, recurrent=recurrent, rollout_len=50)
    vec = open_envs(split_env, cfg, 3)
    policy = build_policies(vec.spec, cfg, "cpu")["mate"]
    vec.close()
    obs = {"": torch.rand(2, 1, 3, 5).expand(2, 2, 3, 5).reshape(2, 6, 5)}  # both mates of each env see the same
    first = torch.tensor([[1.0] * 6, [0.0] * 6])
    h = torch.rand(6, policy.hidden_dim) if recurrent else None
    dist, h_out = policy.actor(obs, h, first)
    for rank, actor in enumerate(policy.actor.actors):
        rows = slice(rank, None, 2)
        alone, h_alone = actor({"": obs[""][:, rows]}, None if h is None else h[rows], first[:, rows])
        assert torch.allclose(dist.logp[0][:, rows], alone.logp[0], atol=1e-6)
        if recurrent:
            assert torch.allclose(h_out[rows], h_alone, atol=1e-6)
    assert not torch.allclose(dist.logp[0][:, 0], dist.logp[0][:, 1])  # two networks, two answers to the same input
    rank_0 = dist.log_prob(torch.zeros(2, 6, 1))[:, ::2].sum()
    rank_0.backward()
    first_net, second_net = policy.actor.actors
    assert first_net.head.weight.grad.any() and not second_net.head.weight.grad.any()


def test_a_run_with_one_actor_per_rank_can_start_from_a_shared_actor(tmp_path):
    Trainer(_cfg("mappo", steps=400, envs=2, rollout_len=50, workers=1), split_env, tmp_path / "shared").train()
    shared = torch.load(tmp_path / "shared" / "checkpoint.pt", weights_only=True)["policies"]["mate"]
    tuned = Trainer(_cfg("mappo", envs=2, workers=1, actor_per_rank=True, init_from=str(tmp_path / "shared")),
                    split_env, tmp_path / "tuned")
    tuned.vec.close()
    state = tuned.policies["mate"].state_dict()
    for name, tensor in shared.items():
        copies = [state[name.replace("actor.", f"actor.actors.{i}.", 1)] for i in range(2)] \
            if name.startswith("actor.") else [state[name]]
        assert all(torch.equal(c, tensor) for c in copies), name


class Memory(gym.Env):
    """The cue is visible only at the first step; every step pays 1 for naming it."""

    observation_space = gym.spaces.Box(0, 1, (4,), np.float32)
    action_space = gym.spaces.Discrete(3)

    def reset(self, seed=None, options=None):
        super().reset(seed=seed)
        self.t, self.cue = 0, int(self.np_random.integers(3))
        obs = np.zeros(4, np.float32)
        obs[self.cue] = 1
        return obs, {}

    def step(self, action):
        self.t += 1
        return np.eye(4, dtype=np.float32)[3], float(int(action) == self.cue), False, self.t >= 4, {}


def test_gru_policy_remembers_what_a_feedforward_policy_cannot(tmp_path):
    cfg = config.resolve("ppo", ("test", dict(steps=20_000, envs=8, rollout_len=32, minibatches=4, lr=3e-3,
                                              recurrent=True, chunk_len=4, norm_obs=False, workers=1)))
    Trainer(cfg, Memory, tmp_path).train()
    # without memory the expected return is at most 1 + 3 * 1/3 = 2; 2.8 over 60 episodes would
    # need 36 lucky guesses where 20 are expected
    assert evaluate(tmp_path, Memory, episodes=60)["mean"]["return/agent"] >= 2.8
