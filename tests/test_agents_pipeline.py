"""Pipelined training: each update runs while the next rollout is collected by the policies as they
were before that update, and the run stays reproducible and resumable."""
import copy

import torch

from agents import config
from agents.trainer import Trainer
from test_agents_toys import competitive_env


def _cfg(**overrides):
    return config.resolve("mappo", ("test", dict(target="pz:test_agents_toys", seed=0, envs=4, rollout_len=32,
                                                 workers=1, hidden=[16], pipeline=True, **overrides)))


def _log_probs(policy, batch):
    with torch.no_grad():
        dist, _ = policy.actor(batch["actor_in"], None, batch["first"])
        return dist.log_prob(batch["actions"])


def test_each_rollout_is_collected_by_the_policies_before_the_last_update(tmp_path):
    trainer = Trainer(_cfg(steps=3 * 128), competitive_env, tmp_path)
    seen = []  # per update: (batch, the policy as the update found it)
    for team, algo in trainer.algos.items():
        update = algo.update

        def recording(batch, progress, team=team, update=update):
            seen.append((team, batch, copy.deepcopy(trainer.policies[team])))
            return update(batch, progress)
        algo.update = recording
    trainer.train()
    by_team = {team: [(b, p) for t, b, p in seen if t == team] for team in trainer.policies}
    for rounds in by_team.values():
        assert len(rounds) == 3
        (first, before_1), (second, before_2), (third, before_3) = rounds
        assert torch.allclose(_log_probs(before_1, first), first["logp"], atol=1e-5)
        # the second rollout was played during the first update, by the policy before it
        assert torch.allclose(_log_probs(before_1, second), second["logp"], atol=1e-5)
        assert not torch.allclose(_log_probs(before_2, second), second["logp"], atol=1e-3)
        assert torch.allclose(_log_probs(before_2, third), third["logp"], atol=1e-5)


def test_pipelined_runs_are_reproducible_and_resume(tmp_path):
    def weights(run):
        saved = torch.load(run / "checkpoint.pt", weights_only=True)
        return saved["step"], saved["policies"]

    Trainer(_cfg(steps=4 * 128), competitive_env, tmp_path / "a").train()
    Trainer(_cfg(steps=4 * 128), competitive_env, tmp_path / "b").train()
    (step_a, a), (step_b, b) = weights(tmp_path / "a"), weights(tmp_path / "b")
    assert step_a == step_b == 4 * 128
    for team in a:
        for name in a[team]:
            assert torch.equal(a[team][name], b[team][name]), (team, name)
    Trainer(_cfg(steps=6 * 128), competitive_env, tmp_path / "a", resume=True).train()
    step, resumed = weights(tmp_path / "a")
    assert step == 6 * 128
    assert any(not torch.equal(resumed["hider"][k], a["hider"][k]) for k in a["hider"])
