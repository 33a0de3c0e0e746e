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


def _batch(obs: dict, agents: list[str]) -> dict[str, torch.Tensor]:
    """The agents' observations stacked key by key, as the policies take them."""
    return {k: torch.as_tensor(np.stack([obs[a][k] for a in agents])).float() for k in obs[agents[0]]}


def test_entity_encoder_takes_doors_as_masked_entities():
    env = arena.parallel_env("hide_and_seek_quadrant", sensors__doors=2)
    space = env.observation_space("hider_0")
    encoder = EntityEncoder(space, [32], "tanh")
    assert "door_obs" in encoder.entity_keys and encoder.mask_of["door_obs"] == "mask_ad_obs"
    obs, _ = env.reset(seed=0)
    batch = _batch(obs, env.agents)
    assert encoder(batch).shape == (len(env.agents), 32)


def test_entity_encoder_computes_its_layers_as_written_and_ignores_masked_entities():
    env = arena.parallel_env("hide_and_seek_quadrant", sensors__doors=2)
    space = env.observation_space("hider_0")
    torch.manual_seed(0)
    encoder = EntityEncoder(space, [32], "tanh")
    obs, _ = env.reset(seed=3)
    batch = _batch(obs, env.agents)
    batch["mask_ab_obs"][:, 0], batch["mask_ab_obs"][:, 1] = 1.0, 0.0
    x, valid = torch.randn(len(env.agents), 9, 32), torch.rand(len(env.agents), 9) > 0.4
    valid[:, 0] = True
    expected, _ = encoder.attention(x, x, x, key_padding_mask=~valid, need_weights=False)
    torch.testing.assert_close(encoder.attend(x, valid), expected, rtol=1e-5, atol=1e-5)
    own = torch.cat([batch[k] for k in encoder.self_keys], -1)
    ent = batch["box_obs"]
    joined = torch.cat([ent, own[:, None].expand(-1, ent.shape[1], -1)], -1)
    torch.testing.assert_close(encoder.embed("box_obs", ent, own), encoder.entity_embed["box_obs"](joined))
    before = encoder(batch)
    batch["box_obs"][:, 1] = torch.randn_like(batch["box_obs"][:, 1]) * 5
    torch.testing.assert_close(encoder(batch), before)
    batch["box_obs"][:, 0] += 1.0
    assert not torch.allclose(encoder(batch), before)
