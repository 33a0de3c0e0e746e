"""A curriculum moves env options from start to end over part of the run, in whole stages."""
import json

import pytest

import arena
from agents import config
from agents.curriculum import Curriculum
from agents.trainer import Trainer
from scenarios.errors import InputError
from test_agents_toys import CoopEnv


def _curriculum(**gate):
    return Curriculum(config.resolve("mappo", ("test", dict(curriculum={"a": [1.0, 0.0], "b": [0.0, 3.0]},
                                                            curriculum_until=0.5, **gate))))


def test_without_a_gate_values_move_linearly_in_stages_then_hold():
    cur = _curriculum()
    assert cur.values() == {"a": 1.0, "b": 0.0}
    assert cur.advance(0.25, {}) and cur.values() == {"a": 0.5, "b": 1.5}
    assert not cur.advance(0.26, {})  # still the same of 20 stages
    cur.advance(0.9, {})
    assert cur.values() == {"a": 0.0, "b": 3.0}


def test_waypoints_are_evenly_spaced_over_the_stages():
    cur = Curriculum(config.resolve("mappo", ("test", dict(curriculum={"p": [1.0, 1.0, 0.0], "d": [0.0, 3.0, 3.0]},
                                                           curriculum_until=1.0))))
    cur.advance(0.25, {})
    assert cur.values() == {"p": 1.0, "d": 1.5}
    cur.advance(0.75, {})
    assert cur.values() == {"p": 0.5, "d": 3.0}


def test_integer_waypoints_give_whole_values_that_a_scenario_accepts():
    cur = Curriculum(config.resolve("mappo", ("test", dict(curriculum={"horizon": [128, 80], "rules__prep_fraction": [0.6, 0.4]},
                                                           curriculum_stages=7, curriculum_until=1.0))))
    cur.advance(3 / 7, {})
    values = cur.values()
    assert values["horizon"] == 107 and isinstance(values["horizon"], int)  # 128 - 48 * 3/7 = 107.4
    assert values["rules__prep_fraction"] == pytest.approx(0.6 - 0.2 * 3 / 7)
    env = arena.parallel_env("hide_and_seek_quadrant")
    env.reset(seed=0, options={"overrides": values})
    assert env.scenario.horizon == 107 and env.world.static.prep_steps == round(107 * values["rules__prep_fraction"])


def test_more_stages_take_smaller_steps():
    cur = Curriculum(config.resolve("mappo", ("test", dict(curriculum={"d": [0.0, 3.0]}, curriculum_stages=30,
                                                           curriculum_gate="fort", curriculum_gate_updates=1))))
    cur.advance(0.1, {"fort": 1.0})
    assert cur.values() == {"d": pytest.approx(0.1)}
    with pytest.raises(InputError, match="curriculum_stages must be in \\[1, 10_000\\], got 0"):
        config.resolve("mappo", ("test", {"curriculum_stages": 0}))


def test_a_gate_moves_one_stage_once_the_metric_holds_for_three_updates():
    cur = _curriculum(curriculum_gate="fort", curriculum_gate_min=0.5, curriculum_gate_updates=3)
    moved = [cur.advance(0.1, {"fort": fort}) for fort in (0.9, 0.2, 0.3, 0.9, 0.9)]
    assert moved == [False, False, False, False, True]  # the mean of the last three reaches 0.5 at the 5th
    assert cur.stage == 1
    assert not cur.advance(0.1, {})  # no episodes ended: nothing to judge
    restored = _curriculum(curriculum_gate="fort", curriculum_gate_updates=3)
    restored.load_state_dict(cur.state_dict())
    assert restored.stage == 1 and list(restored.recent) == list(cur.recent)
    assert cur.advance(0.5, {"fort": 0.0}) and cur.stage == 20  # at `until` the last stage regardless


def test_with_a_floor_a_held_gate_follows_the_schedule_stage_by_stage_instead_of_jumping_at_the_end():
    jump = _curriculum(curriculum_gate="fort", curriculum_gate_updates=1)
    floor = _curriculum(curriculum_gate="fort", curriculum_gate_updates=1, curriculum_floor=True)
    for progress in (0.1, 0.25, 0.4):
        jump.advance(progress, {"fort": 0.0})
        floor.advance(progress, {"fort": 0.0})
        assert jump.stage == 0 and floor.stage == int(progress / 0.5 * 20)
    assert floor.advance(0.4, {"fort": 1.0}) and floor.stage == 17  # ahead of the schedule when the gate passes
    assert not floor.advance(0.41, {"fort": 0.0}) and floor.stage == 17
    jump.advance(0.5, {"fort": 0.0})
    floor.advance(0.5, {"fort": 0.0})
    assert jump.stage == floor.stage == 20


def test_a_floor_with_a_lag_lets_the_gate_trail_the_schedule_by_that_many_stages_and_no_more():
    floor = _curriculum(curriculum_gate="fort", curriculum_gate_updates=1, curriculum_floor=True,
                        curriculum_floor_lag=2)
    assert not floor.advance(0.04, {"fort": 0.0}) and floor.stage == 0  # the schedule's stage 1, less 2
    for progress in (0.1, 0.25, 0.4):
        floor.advance(progress, {"fort": 0.0})
        assert floor.stage == int(progress / 0.5 * 20) - 2
    assert floor.advance(0.5, {"fort": 0.0}) and floor.stage == 20  # at `until` the last stage regardless


class Recording(CoopEnv):
    seen: list = []

    def reset(self, seed=None, options=None):
        Recording.seen.append(options)
        return super().reset(seed, options)


def test_trainer_passes_the_values_to_every_reset_and_logs_them(tmp_path):
    cfg = config.resolve("mappo", ("test", dict(target="pz:test", steps=2000, envs=2, rollout_len=50, workers=1,
                                                curriculum={"x": [0.0, 1.0]}, curriculum_until=1.0)))
    Recording.seen = []
    Trainer(cfg, Recording, tmp_path).train()
    values = [o["overrides"]["x"] for o in Recording.seen if o]
    assert values[0] == 0.0 and values[-1] > 0.8 and values == sorted(values)
    logged = [json.loads(line)["curriculum/x"] for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    assert logged == sorted(logged) and logged[-1] > 0.8


@pytest.mark.parametrize("bad", [{"curriculum": {"x": 1.0}}, {"curriculum": {"x": [0, "a"]}},
                                 {"curriculum": {"x": [1.0]}}, {"curriculum_until": 0.0}])
def test_a_bad_curriculum_is_a_clear_error(bad):
    with pytest.raises(InputError, match="curriculum"):
        config.resolve("mappo", ("test", bad))


def test_by_default_the_gate_needs_ten_updates_so_a_lucky_update_does_not_pass_it():
    cur = _curriculum(curriculum_gate="fort", curriculum_gate_min=0.4)
    chance = [0.25, 0.45, 0.5, 0.3, 0.2, 0.25, 0.3, 0.45, 0.2, 0.25] * 3  # a rate near 0.3 with lucky updates
    assert not any(cur.advance(0.1, {"fort": fort}) for fort in chance)
    moved = [cur.advance(0.1, {"fort": 0.6}) for _ in range(10)]
    assert moved.count(True) == 1 and cur.stage == 1  # once learned, the window fills and the stage moves
