"""`sensors.doors`: every agent observes where the layout's doors are, those of the hiders' room first."""
import numpy as np
import torch

import arena
from agents.networks import EntityEncoder
from arena import forts


def _centres(doors):
    return (doors[:, :2] + doors[:, 2:]) / 2


def test_off_by_default():
    env = arena.parallel_env("hide_and_seek_quadrant")
    assert "door_obs" not in env.observation_space("hider_0").spaces


def test_doors_are_observed_relative_to_each_agent_and_the_hiders_room_comes_first():
    env = arena.parallel_env("hide_and_seek_rooms", sensors__doors=8)
    plain = arena.parallel_env("hide_and_seek_rooms")
    for seed in range(5):
        obs, _ = env.reset(seed=seed)
        plain_obs, _ = plain.reset(seed=seed)
        layout, snap = env.world.layout, env.snapshot
        own = forts.of_room(layout, layout.room)
        expected = np.concatenate([_centres(layout.doors[own]), _centres(layout.doors[~own])])
        for i, agent in enumerate(env.agents):
            rows, mask = obs[agent]["door_obs"], obs[agent]["mask_ad_obs"]
            k = len(layout.doors)
            assert mask.tolist() == [1] * k + [0] * (8 - k)
            np.testing.assert_allclose(rows[:k, :2] + snap.agent_pos[i], expected, atol=1e-5)
            assert rows[:k, 4].tolist() == [1.0] * own.sum() + [0.0] * (~own).sum()
            np.testing.assert_allclose(np.linalg.norm(rows[:k, 2:4], axis=1), 1.0, atol=1e-6)
            assert not rows[k:].any()
            np.testing.assert_array_equal(obs[agent]["lidar"], plain_obs[agent]["lidar"])   # the rest unchanged


def test_state_ends_with_the_door_slots():
    env = arena.parallel_env("hide_and_seek_quadrant", sensors__doors=2)
    plain = arena.parallel_env("hide_and_seek_quadrant")
    seen = set()
    for seed in range(12):
        env.reset(seed=seed)
        plain.reset(seed=seed)
        head = plain.state_space.shape[0]
        state = env.state()
        assert np.array_equal(state[:head], plain.state())
        doors = state[head:].reshape(2, 6)
        k = len(env.world.layout.doors)
        seen.add(k)
        assert doors[:, 0].tolist() == [1.0] * k + [0.0] * (2 - k)
        np.testing.assert_allclose(doors[:k, 1:3] * 6.0, _centres(env.world.layout.doors), atol=1e-5)
    assert seen == {1, 2}   # door dropout leaves one door in some episodes


def test_entity_encoder_takes_doors_as_masked_entities():
    env = arena.parallel_env("hide_and_seek_quadrant", sensors__doors=2)
    space = env.observation_space("hider_0")
    encoder = EntityEncoder(space, [32], "tanh")
    assert "door_obs" in encoder.entity_keys and encoder.mask_of["door_obs"] == "mask_ad_obs"
    obs, _ = env.reset(seed=0)
    batch = {k: torch.as_tensor(np.stack([obs[a][k] for a in env.agents])).float() for k in space.spaces}
    assert encoder(batch).shape == (len(env.agents), 32)
