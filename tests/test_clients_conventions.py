"""The env's metadata and info keys follow PettingZoo / Gymnasium conventions, so that the libraries
built on them (SuperSuit, SB3, TorchRL, RLlib) read them as they expect."""
import subprocess
import sys

import numpy as np

import arena

# Keys other libraries write into or read from an agent's info dict with a meaning of their own.
RESERVED_INFO_KEYS = {"episode", "_episode", "final_info", "_final_info", "final_obs", "_final_obs",
                      "final_observation", "terminal_observation", "TimeLimit.truncated", "is_success",
                      "action_mask"}


def test_metadata_has_the_pettingzoo_keys_with_valid_values():
    meta = arena.ArenaEnv.metadata
    assert set(meta) == {"name", "render_modes", "render_fps", "is_parallelizable"}
    assert isinstance(meta["name"], str) and meta["name"]
    assert set(meta["render_modes"]) == {"human", "rgb_array"}
    assert isinstance(meta["render_fps"], int) and meta["render_fps"] > 0
    assert meta["is_parallelizable"] is True


def test_no_info_key_is_one_that_gymnasium_sb3_or_pettingzoo_reserve():
    env = arena.parallel_env(horizon=20)
    _, infos = env.reset(seed=0)
    seen = [set(i) for i in infos.values()]
    while env.agents:
        *_, infos = env.step({a: env.action_space(a).sample() for a in env.agents})
        seen += [set(i) for i in infos.values()]
    assert not set().union(*seen) & RESERVED_INFO_KEYS
    for info in infos.values():
        stats = info[arena.STATS_INFO_KEY]
        assert "hidden_fraction" in stats and all(np.isscalar(v) for v in stats.values())


def test_episode_statistics_only_at_the_last_step():
    env = arena.parallel_env(horizon=5)
    env.reset(seed=1)
    for _ in range(4):
        *_, infos = env.step({a: env.action_space(a).sample() for a in env.agents})
        assert all(arena.STATS_INFO_KEY not in i for i in infos.values())


def test_import_arena_gives_the_wrappers_submodule():
    code = "import arena, sys; arena.wrappers.flatten_observations; print('arena.wrappers' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "True"
