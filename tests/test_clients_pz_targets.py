"""`arena train pz:<module>` on PettingZoo environments of other packages (MPE from mpe2, butterfly from
pettingzoo): a short run writes a checkpoint with one policy per team, and `arena eval` plays it."""
import json

import pytest

from agents.cli import main

FAST = ["--steps", "3000", "--envs", "2", "--workers", "1", "--hidden", "32"]
TARGETS = {  # target: (env_kwargs, teams, episode length, or None when agents may all die before it)
    "pz:mpe2.simple_spread_v3": ("{}", {"agent"}, 25),
    "pz:mpe2.simple_tag_v3": ("{}", {"adversary", "agent"}, 25),
    "pz:pettingzoo.butterfly.knights_archers_zombies_v11": ("{max_cycles: 100}", {"archer", "knight"}, None),
}


def _teams(means: dict) -> set[str]:
    return {k.removeprefix("return/") for k in means if k.startswith("return/")}


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_train_writes_a_checkpoint_that_eval_plays(target, tmp_path):
    env_kwargs, teams, length = TARGETS[target]
    run = tmp_path / "run"
    assert main(["train", target, "--env-kwargs", env_kwargs, "--run-dir", str(run), *FAST]) == 0
    metrics = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    assert (run / "checkpoint.pt").is_file() and metrics[-1]["step"] >= 3000
    assert set().union(*map(_teams, metrics)) == teams
    assert main(["eval", str(run), "--episodes", "2"]) == 0
    result = json.loads((run / "eval.json").read_text())
    assert result["step"] == metrics[-1]["step"] and result["episodes"] == 2
    assert _teams(result["mean"]) == teams
    assert result["mean"]["length"] == length if length else 0 < result["mean"]["length"] <= 100


@pytest.mark.parametrize("target, env_kwargs, message", [
    ("pz:mpe2.simple_spread_v3", "{n_agent: 2}", "unexpected keyword argument 'n_agent'"),
    ("pz:mpe2", "{}", "pz:mpe2: not a PettingZoo environment module (it has no parallel_env())"),
])
def test_a_target_that_cannot_be_built_exits_2_naming_it(target, env_kwargs, message, tmp_path, capsys):
    run = tmp_path / "run"
    assert main(["train", target, "--env-kwargs", env_kwargs, "--run-dir", str(run), *FAST]) == 2
    err = capsys.readouterr().err
    assert message in err and target in err and "Traceback" not in err
    assert not (run / "config.yaml").exists()
