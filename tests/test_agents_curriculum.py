"""A curriculum moves env options from start to end over part of the run, in whole stages."""
import json

import pytest

from agents import config
from agents.trainer import Trainer, curriculum_values
from scenarios.errors import InputError
from test_agents_toys import CoopEnv


def test_values_move_linearly_in_stages_then_hold():
    cur = {"a": [1.0, 0.0], "b": [0.0, 3.0]}
    assert curriculum_values(cur, 0.5, 0.0) == {"a": 1.0, "b": 0.0}
    assert curriculum_values(cur, 0.5, 0.25) == {"a": 0.5, "b": 1.5}
    assert curriculum_values(cur, 0.5, 0.26) == curriculum_values(cur, 0.5, 0.25)  # same stage of 20
    assert curriculum_values(cur, 0.5, 0.9) == {"a": 0.0, "b": 3.0}


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
                                 {"curriculum_until": 0.0}])
def test_a_bad_curriculum_is_a_clear_error(bad):
    with pytest.raises(InputError, match="curriculum"):
        config.resolve("mappo", ("test", bad))
