"""Object counting: a scripted watcher that remembers which side of the room each box it saw was on
answers right; the boxes end out of sight and the seeker cannot move while they slide. (In about
3 % of episodes one box stays behind another all along; the seeds here are not among them.)"""
import numpy as np
import pytest

import arena


def watch_and_answer(env, seed, cheat=0):
    obs, _ = env.reset(seed=seed)
    start = env.snapshot.agent_pos.copy()
    x0, _, x1, _ = env.world.layout.rooms[1]
    side = {}   # box slot -> whether it was left of the middle when seen (it never crosses it)
    rewards = []
    while env.agents:
        own = obs["seeker_0"]
        for k in np.flatnonzero(own["mask_ab_obs"]):
            side[k] = start[0, 0] + own["box_obs"][k, 0] < (x0 + x1) / 2   # column 0: relative x
        answer = sum(side.values()) + cheat
        last = env.snapshot.t == env.max_cycles - 1
        action = np.array([10, 10, answer if last else 5, 1, 1])   # pushes hard: frozen, it stays put
        obs, reward, term, trunc, info = env.step({"seeker_0": action})
        rewards.append(reward["seeker_0"])
        answered = env.snapshot.t == env.max_cycles
        assert term["seeker_0"] == answered and not trunc["seeker_0"]   # the answer ends the episode
        if env.snapshot.t < env.max_cycles:
            np.testing.assert_array_equal(env.snapshot.agent_pos, start)
    assert not env.snapshot.sees_obj.any()   # every box is behind a wall by the end
    return rewards, info["seeker_0"]["episode_stats"]


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_counting_watcher_answers_right(seed):
    env = arena.parallel_env("object_counting")
    rewards, stats = watch_and_answer(env, seed)
    assert rewards == [0.0] * 19 + [1.0]
    assert stats["correct"] == 1.0 and stats["answer"] == stats["went_left"]


def test_counting_wrong_answer_scores_nothing():
    env = arena.parallel_env("object_counting")
    rewards, stats = watch_and_answer(env, 1, cheat=1)
    assert rewards == [0.0] * 20 and stats["correct"] == 0.0


def test_counting_boxes_slide_to_the_nearer_side_room():
    env = arena.parallel_env("object_counting")
    env.reset(seed=5)
    start = env.snapshot.obj_pos.copy()
    while env.agents:
        env.step({"seeker_0": np.array([5, 5, 5, 0, 0])})
    end = env.snapshot.obj_pos
    np.testing.assert_allclose(end[:, 0], np.where(start[:, 0] < 3.0, 1.0, 5.0), atol=1e-6)
    np.testing.assert_allclose(end[:, 1], start[:, 1], atol=1e-9)
