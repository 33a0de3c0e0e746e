"""Teams updated at once (one Python thread each, `update_threads` 2) must train exactly as the teams
updated one after the other: the same minibatch orders, the same weights and optimiser state."""
import pytest
import torch

from agents import config
from agents.trainer import Trainer
from test_agents_toys import competitive_env


def _trained(tmp_path, name: str, **overrides) -> dict[str, dict[str, torch.Tensor]]:
    settings = dict(target="pz:test", steps=240, envs=4, rollout_len=20, workers=1, hidden=[16], epochs=3,
                    minibatches=2, seed=5)
    cfg = config.resolve("mappo", ("test", {**settings, **overrides}))
    trainer = Trainer(cfg, competitive_env, tmp_path / name)
    initial = {team: {k: v.clone() for k, v in p.state_dict().items()} for team, p in trainer.policies.items()}
    trainer.train()
    trained = {team: p.state_dict() for team, p in trainer.policies.items()}
    for team, state in trained.items():  # every team learnt something, or the comparison says little
        assert any(not torch.equal(state[k], initial[team][k]) for k in state), team
    adam = {team: algo.optimizer.state_dict()["state"] for team, algo in trainer.algos.items()}
    return {team: {**state, **{f"adam/{i}/{k}": v for i, s in adam[team].items() for k, v in s.items()}}
            for team, state in trained.items()}


def _differences(a: dict, b: dict) -> list[str]:
    assert a.keys() == b.keys()
    return [f"{team}/{k}" for team in a for k in a[team] if not torch.equal(a[team][k], b[team][k])]


@pytest.mark.parametrize("bf16", [False, True])
def test_teams_updating_in_parallel_train_exactly_as_one_after_the_other(tmp_path, bf16):
    in_turn = _trained(tmp_path, "in_turn", update_threads=1, bf16=bf16)
    at_once = _trained(tmp_path, "at_once", update_threads=2, bf16=bf16)
    assert _differences(in_turn, at_once) == []


def test_the_comparison_sees_a_run_with_another_seed(tmp_path):
    in_turn = _trained(tmp_path, "in_turn", update_threads=1)
    other_order = _trained(tmp_path, "other_seed", update_threads=2, seed=6)
    assert _differences(in_turn, other_order)
