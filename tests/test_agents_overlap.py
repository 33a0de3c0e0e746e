"""Overlapped collection (envs stepped in groups while the policies act for the next group) must
produce exactly the rollout of plain collection, and the vec envs must keep the group order."""
import pytest
import torch

from agents import config
from agents.buffer import Collector
from agents.trainer import Trainer, build_policies
from agents.vec import InProcessVecEnv, ProcessVecEnv, make_vec_env
from test_agents_toys import CoopEnv, competitive_env, parallel_env

FIELDS = ("actions", "logp", "values", "next_values", "final_values", "rewards", "terminated", "dones", "mask",
          "first", "h_actor", "h_critic", "ha", "hc")


def _rollouts(make_env, n_envs: int, workers: int, groups: int, overlap: bool, deterministic: bool = False,
              **overrides) -> tuple[list, list]:
    """Two consecutive rollouts from fresh policies and envs with fixed seeds: (what every rollout
    stored, with the policies' state after it) and the episode statistics."""
    settings = dict(target="pz:test_agents_toys", norm_obs=True, hidden=[16], rollout_len=7, chunk_len=7)
    cfg = config.resolve("mappo", ("test", {**settings, **overrides}))
    vec = make_vec_env(make_env, n_envs, workers, flatten=True, groups=groups)
    try:
        torch.manual_seed(0)
        policies = build_policies(vec.spec, cfg, "cpu")
        collector = Collector(vec, policies, cfg.rollout_len, "cpu", deterministic=deterministic, overlap=overlap)
        assert collector.overlap == overlap
        vec.reset(3)
        torch.manual_seed(1)
        seen, episodes = [], []
        for _ in range(2):
            episodes.append(collector.collect())
            for team, ro in collector.rollouts.items():
                stored = {name: getattr(ro, name) for name in FIELDS if getattr(ro, name) is not None}
                stored.update({f"actor_in/{k}": v for k, v in ro.actor_in.items()})
                stored.update({f"critic_in/{k}": v for k, v in ro.critic_in.items()})
                stored.update({f"policy/{k}": v for k, v in policies[team].state_dict().items()})
                seen.append({name: v.clone() for name, v in stored.items()})
        return seen, episodes
    finally:
        vec.close()


def _assert_same(a: list, b: list):
    for x, y in zip(a, b, strict=True):
        assert x.keys() == y.keys()
        for name in x:
            assert torch.allclose(x[name], y[name], rtol=0, atol=1e-6), name


@pytest.mark.parametrize("n_envs, workers, groups, recurrent", [
    (5, 1, 2, False),  # in-process, uneven groups
    (5, 1, 3, True),  # GRU hidden states carried per group and across rollouts
    (6, 2, 2, False),  # worker processes, each group spread over both workers
])
def test_overlapped_collector_produces_the_plain_rollout(n_envs, workers, groups, recurrent):
    # one team, stochastic actions: the sampled actions are the same too (same seed, same order)
    plain, plain_episodes = _rollouts(parallel_env, n_envs, workers, 1, False, recurrent=recurrent)
    overlapped, episodes = _rollouts(parallel_env, n_envs, workers, groups, True, recurrent=recurrent)
    _assert_same(plain, overlapped)
    assert episodes == plain_episodes and sum(map(len, episodes)) > n_envs  # truncations and terminations
    rollout = plain[0]
    assert rollout["dones"].any() and rollout["terminated"].any() and (rollout["mask"] == 0).any()


def test_overlapped_collector_keeps_every_team_in_step():
    # two teams act per group in the overlapped collector, so compare deterministic actions
    plain, plain_episodes = _rollouts(competitive_env, 6, 2, 1, False, deterministic=True)
    overlapped, episodes = _rollouts(competitive_env, 6, 2, 3, True, deterministic=True)
    _assert_same(plain, overlapped)
    assert episodes == plain_episodes


@pytest.mark.parametrize("workers", [1, 2])
def test_groups_are_waited_for_in_the_order_they_started(workers):
    vec = make_vec_env(parallel_env, 4, workers, flatten=True, groups=2)
    try:
        assert isinstance(vec, InProcessVecEnv if workers == 1 else ProcessVecEnv)
        assert vec.groups == (range(0, 2), range(2, 4))
        vec.reset(0)
        vec.step_async(0)
        vec.step_async(1)
        with pytest.raises(RuntimeError, match="still stepping"):
            vec.step()
        with pytest.raises(RuntimeError, match="oldest first"):
            vec.step_wait(1)
        vec.step_wait(0)
        vec.step_wait(1)
        vec.step()
    finally:
        vec.close()


def test_the_overlap_setting_trains_with_two_env_groups(tmp_path):
    cfg = config.resolve("mappo", ("test", dict(target="pz:test", steps=400, envs=4, rollout_len=50, workers=2,
                                                overlap=True)))
    trainer = Trainer(cfg, CoopEnv, tmp_path)
    assert len(trainer.vec.groups) == 2
    assert trainer.train()["step"] == 400
