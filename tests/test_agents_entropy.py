"""An entropy floor raises a team's entropy coefficient while its policy is more certain than the
target, lowers it back once it is not, and lets go when the curriculum reaches its last stage."""
import json

import numpy as np
import pytest

from agents import config
from agents.entropy import EntropyFloor
from agents.trainer import Trainer
from scenarios.errors import InputError
from gymnasium import spaces
from test_agents_toys import HORIZON, K, CoopEnv


class TwoPartEnv(CoopEnv):
    """As CoopEnv, plus a second action component the mates score a second point for setting to 1."""

    def __init__(self):
        super().__init__()
        self._act_space = spaces.MultiDiscrete([K, 2])

    def _rewards(self, actions):
        r = float(np.mean([(actions[a][0] == self.target) + (actions[a][1] == 1) for a in self.agents]))
        self.hits += r / HORIZON
        return {a: r for a in self.agents}


def _coefs(floor, stats, holding=True, times=1):
    coefs = []
    for _ in range(times):
        floor.update(stats, holding)
        coefs.append(floor.coef)
    return coefs


def test_the_coefficient_rises_below_the_target_falls_back_above_it_and_never_under_the_base():
    floor = EntropyFloor(target=1.0, rate=0.5, base=0.01, components=1)
    rising = _coefs(floor, {"entropy": 0.2}, times=4)
    assert rising == sorted(rising) and rising[0] > 0.01 and rising[-1] == pytest.approx(0.01 * 2.718 ** 1.6, rel=1e-3)
    falling = _coefs(floor, {"entropy": 1.4}, times=20)
    assert falling[0] < rising[-1] and falling[-1] == 0.01
    floor.update({"entropy": 0.2}, holding=True)
    assert _coefs(floor, {"entropy": 0.2}, holding=False) == [0.01]


def test_a_floor_per_component_raises_only_the_coefficients_of_components_below_their_target():
    floor = EntropyFloor(target={1: 0.3, 2: 0.3}, rate=0.5, base=0.01, components=3)
    stats = {"entropy": 0.1, "entropy_0": 0.0, "entropy_1": 0.1, "entropy_2": 0.5}
    coef = _coefs(floor, stats, times=4)[-1]
    assert coef[0] == 0.01 and coef[1] == pytest.approx(0.01 * 2.718 ** 0.4, rel=1e-3) and coef[2] == 0.01
    assert floor.logged() == {"ent_coef_1": coef[1], "ent_coef_2": 0.01}


def _log(run, key):
    return [json.loads(line)[key] for line in (run / "metrics.jsonl").read_text().splitlines()]


def _train(run, env=CoopEnv, **options):
    cfg = config.resolve("mappo", ("test", dict(target="pz:test", steps=6000, envs=4, rollout_len=50, workers=1,
                                                lr=3e-3, ent_coef=0.001, **{"seed": 1, **options})))
    trainer = Trainer(cfg, env, run)
    trainer.train()
    return trainer


def test_a_floor_keeps_a_learning_team_less_certain_than_it_would_be(tmp_path):
    _train(tmp_path / "free")
    _train(tmp_path / "floored", entropy_target={"mate": 0.9}, entropy_target_rate=1.0)
    free, floored = _log(tmp_path / "free", "mate/entropy"), _log(tmp_path / "floored", "mate/entropy")
    assert free[-1] < 0.6 and floored[-1] > free[-1] + 0.2
    coef = _log(tmp_path / "floored", "mate/ent_coef")
    assert coef[0] == 0.001 and max(coef) > 0.01


def test_a_floor_on_one_component_keeps_that_component_exploring_and_lets_the_other_commit(tmp_path):
    _train(tmp_path / "free", env=TwoPartEnv)
    _train(tmp_path / "floored", env=TwoPartEnv, entropy_target={"mate": {1: 0.4}}, entropy_target_rate=5.0)
    free, floored = ({k: _log(tmp_path / run, f"mate/entropy_{k}")[-1] for k in (0, 1)} for run in ("free", "floored"))
    assert free[1] < 0.2 and floored[1] > free[1] + 0.15
    assert floored[0] < 0.9  # of up to 1.1 nats: the digit is still learned
    assert max(_log(tmp_path / "floored", "mate/ent_coef_1")) > 0.01


def test_the_floor_lets_go_at_the_last_stage_of_the_curriculum(tmp_path):
    _train(tmp_path, entropy_target={"mate": 2.0}, curriculum={"x": [0.0, 1.0]}, curriculum_until=0.5)
    coef, stage_x = _log(tmp_path, "mate/ent_coef"), _log(tmp_path, "curriculum/x")
    held = [c for c, x in zip(coef, stage_x) if x < 1.0]
    assert held == sorted(held) and held[-1] > 0.001  # entropy of 3 choices is always below 2 nats
    assert coef[-1] == 0.001


def test_a_resume_restores_a_raised_floor(tmp_path):
    # no curriculum: the floor holds to the end, its coefficient raised far above the base
    trained = _train(tmp_path, entropy_target={"mate": 2.0})
    raised = trained.entropy_floors["mate"].log_scale.tolist()
    assert raised[0] > 1.0
    cfg = config.load(tmp_path / "config.yaml")
    resumed = Trainer(config.resolve("mappo", ("test", {**vars(cfg), "steps": 8000})), CoopEnv, tmp_path, resume=True)
    try:
        assert resumed.entropy_floors["mate"].log_scale.tolist() == raised
    finally:
        resumed.close()


@pytest.mark.parametrize("options, message", [
    (dict(entropy_target={"mate": 0.5}, ent_coef=0.0), "ent_coef above 0"),
    (dict(entropy_target={"mate": 0.5}, algo="trpo"), "PPO-family"),
    (dict(entropy_target={"mate": -1.0}), "positive entropy"),
    (dict(entropy_target={"mate": {"grab": 0.3}}), "action component indices"),
    (dict(entropy_target={"mate": {3: 0.0}}), "positive entropies"),
])
def test_a_floor_that_cannot_work_is_a_clear_error(options, message):
    algo = options.pop("algo", "mappo")
    with pytest.raises(InputError, match=message):
        config.resolve(algo, ("test", {"ent_coef": 0.01, **options}))


def test_a_floor_on_a_team_the_env_does_not_have_names_the_teams(tmp_path):
    cfg = config.resolve("mappo", ("test", dict(target="pz:test", envs=2, workers=1, ent_coef=0.01,
                                                entropy_target={"hider": 1.0})))
    with pytest.raises(InputError, match="no team 'hider' here.*mate"):
        Trainer(cfg, CoopEnv, tmp_path / "run")


def test_a_floor_on_an_action_component_the_team_does_not_have_names_its_components(tmp_path):
    cfg = config.resolve("mappo", ("test", dict(target="pz:test", envs=2, workers=1, ent_coef=0.01,
                                                entropy_target={"mate": {1: 0.3}})))
    with pytest.raises(InputError, match="action components 0 to 0, not \\[1\\]"):
        Trainer(cfg, CoopEnv, tmp_path / "run")
