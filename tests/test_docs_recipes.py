"""Every training config the docs and the recipes hand to `arena train --config` still resolves, and
its env options and each curriculum stage are valid scenario keys of the default scenario."""
from pathlib import Path

import pytest

import scenarios
from agents import config
from agents.curriculum import Curriculum

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = sorted(ROOT.glob("docs/*.yaml")) + sorted(ROOT.glob("agents/recipes/*.yaml"))


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: str(p.relative_to(ROOT)))
def test_documented_config_resolves_and_every_stage_is_a_valid_scenario(path):
    data = config.read_yaml(path)
    cfg = config.resolve(data.get("algo", "mappo"), (str(path), {k: v for k, v in data.items() if k != "algo"}))
    target = path.stem if path.parent.name == "recipes" else cfg.target
    curriculum = Curriculum(cfg)
    for stage in range(cfg.curriculum_stages + 1):
        curriculum.stage = stage
        scenarios.load(target, **cfg.env_kwargs, **curriculum.values())


def test_there_are_configs_to_check():
    assert any(p.parent.name == "docs" for p in CONFIGS) and any(p.parent.name == "recipes" for p in CONFIGS)
