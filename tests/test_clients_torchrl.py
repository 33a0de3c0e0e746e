"""TorchRL's PettingZooWrapper on the default scenario: it groups the teams, collects whole episodes
with its Collector, and hands on exactly what the env produced."""
import numpy as np
import pytest
import torch
from torchrl import collectors
from torchrl.envs.libs import pettingzoo as pettingzoo_lib

import arena

pytestmark = pytest.mark.usefixtures("one_torch_thread")

HORIZON = arena.parallel_env().max_cycles
PREP = int(0.4 * HORIZON)


def _wrapped(**kwargs):
    return pettingzoo_lib.PettingZooWrapper(arena.parallel_env(), use_mask=True, **kwargs)


def test_collector_gathers_whole_episodes_by_team():
    torch.manual_seed(0)
    env = _wrapped(seed=0)
    assert env.group_map == {"hider": ["hider_0", "hider_1"], "seeker": ["seeker_0", "seeker_1"]}
    frames = 25 * HORIZON
    collector = collectors.Collector(env, policy=None, frames_per_batch=5 * HORIZON, total_frames=frames)
    batches = list(collector)
    collector.shutdown()
    data = torch.cat(batches)
    assert data.batch_size == (frames,)
    done = data["next", "done"].squeeze(-1).numpy()
    assert np.flatnonzero(done).tolist() == list(range(HORIZON - 1, frames, HORIZON))
    assert data["next", "truncated"].squeeze(-1).numpy().tolist() == done.tolist()
    hider = data["next", "hider", "reward"].squeeze(-1).numpy().reshape(-1, HORIZON, 2)
    seeker = data["next", "seeker", "reward"].squeeze(-1).numpy().reshape(-1, HORIZON, 2)
    assert not hider[:, :PREP].any() and not seeker[:, :PREP].any()
    assert set(np.unique(hider[:, PREP:])) <= {-1.0, 1.0} and (seeker[:, PREP:] == -hider[:, PREP:]).all()
    assert data["hider", "mask"].all() and data["hider", "observation", "lidar"].shape == (frames, 2, 30)


def test_a_rollout_carries_the_envs_own_observations_and_rewards():
    torch.manual_seed(1)
    env = _wrapped()
    rollout = env.rollout(HORIZON, auto_reset=False, tensordict=env.reset(seed=3))
    direct = arena.parallel_env()
    obs, _ = direct.reset(seed=3)
    slot = {a: (a.rsplit("_", 1)[0], int(a.rsplit("_", 1)[1])) for a in direct.agents}
    for t in range(HORIZON):
        for a, o in obs.items():
            for key, value in o.items():
                np.testing.assert_array_equal(rollout[slot[a][0], "observation", key][t, slot[a][1]].numpy(), value)
        obs, rewards, *_ = direct.step({a: rollout[team, "action"][t, i].numpy() for a, (team, i) in slot.items()})
        for a, r in rewards.items():
            assert rollout["next", slot[a][0], "reward"][t, slot[a][1], 0].item() == r
    assert not direct.agents
