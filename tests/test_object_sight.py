"""`sensors.objects_always_seen`: boxes and ramps are observed wherever they are; agents and the
mechanics still go by sight."""
import numpy as np

import arena


def test_every_object_is_observed_and_nothing_else_changes():
    env = arena.parallel_env("hide_and_seek_quadrant", sensors__objects_always_seen=True)
    plain = arena.parallel_env("hide_and_seek_quadrant")
    hidden_before = 0
    for seed in range(6):
        obs, _ = env.reset(seed=seed)
        plain_obs, _ = plain.reset(seed=seed)
        for _ in range(4):
            snap = env.snapshot
            np.testing.assert_array_equal(snap.sees_obj, plain.snapshot.sees_obj)   # sight itself unchanged
            for i, agent in enumerate(env.agents):
                o, p = obs[agent], plain_obs[agent]
                assert o["mask_ab_obs"].all() and o["mask_ar_obs"].all()
                hidden_before += int(not p["mask_ab_obs"].all())
                np.testing.assert_allclose(o["box_obs"][:, :2], snap.obj_pos[:2] - snap.agent_pos[i], atol=1e-5)
                np.testing.assert_allclose(o["ramp_obs"][0, :2], snap.obj_pos[2] - snap.agent_pos[i], atol=1e-5)
                seen = p["mask_ab_obs"].astype(bool)
                np.testing.assert_array_equal(o["box_obs"][seen], p["box_obs"][seen])
                for key in ("agent_qpos_qvel", "mask_aa_obs", "lidar", "observation_self"):
                    np.testing.assert_array_equal(o[key], p[key])
            actions = {a: env.action_space(a).sample() for a in env.agents}
            obs, *_ = env.step(actions)
            plain_obs, *_ = plain.step(actions)
    assert hidden_before > 0   # without the option some boxes were out of sight
