"""`sensors.held_by_others`: box and ramp rows say whether a teammate and whether an opponent holds
the object, and env.state()'s object rows whether a hider and whether a seeker does."""
import math

import numpy as np

import arena
from arena.observations import OBJ_DIM, STATE_AGENT_DIM, STATE_OBJ_DIM

IDLE, GRAB = np.array([5, 5, 5, 0, 0]), np.array([5, 5, 5, 1, 0])
# The margin lets box 1 and the ramp lie out of the way: outside the play area, inside the outer walls.
OPEN = dict(layout__kind="open", agents__hiders=2, agents__seekers=1, boxes__count=2, ramps__count=1,
            rules__prep_fraction=0.0, sensors__held_by_others=True, world__margin=2.0)
HELD_BY_ME = OBJ_DIM - 1


def make(hider_1_angle: float):
    """hider_0 and the seeker face box 0 from either side; hider_1 stands behind hider_0, facing
    `hider_1_angle`; box 1 and the ramp lie far off."""
    env = arena.parallel_env(**OPEN)
    env.reset(seed=0, options={"placement": {
        "objects": [(3.0, 3.0, 0), (8.0, 8.0, 0), (8.0, 2.0, 0)],
        "agents": [(2.55, 3.0, 0), (1.5, 3.0, hider_1_angle), (3.45, 3.0, math.pi)]}})
    return env


def step(env, **actions):
    obs, *_ = env.step({a: actions.get(a, IDLE) for a in env.agents})
    return obs


def test_rows_widen_by_two_columns():
    plain = arena.parallel_env(**{**OPEN, "sensors__held_by_others": False})
    env = arena.parallel_env(**OPEN)
    for key in ("box_obs", "ramp_obs"):
        assert env.observation_space("hider_0")[key].shape[1] == plain.observation_space("hider_0")[key].shape[1] + 2
    plain.reset(seed=0)
    env.reset(seed=0)
    assert env.state().size == plain.state().size + 2 * 3   # two boxes and a ramp


def test_teammate_and_opponent_see_who_holds_the_box():
    env = make(hider_1_angle=0.0)
    obs = step(env, hider_0=GRAB)
    assert env.snapshot.agent_grab.tolist() == [0, -1, -1]
    mine, teammate, seeker = (obs[a]["box_obs"] for a in ("hider_0", "hider_1", "seeker_0"))
    assert mine[0, HELD_BY_ME] == 1 and mine[0, OBJ_DIM:].tolist() == [0, 0]
    assert teammate[0, HELD_BY_ME] == 0 and teammate[0, OBJ_DIM:].tolist() == [1, 0]
    assert seeker[0, HELD_BY_ME] == 0 and seeker[0, OBJ_DIM:].tolist() == [0, 1]
    for rows in (mine, teammate, seeker):
        assert not rows[1, OBJ_DIM:].any()   # nobody holds box 1

    obs = step(env, hider_0=GRAB, seeker_0=GRAB)   # both ends of the same box
    assert env.snapshot.agent_grab.tolist() == [0, -1, 0]
    assert obs["hider_0"]["box_obs"][0, OBJ_DIM:].tolist() == [0, 1]
    assert obs["seeker_0"]["box_obs"][0, OBJ_DIM:].tolist() == [0, 1]
    assert obs["hider_1"]["box_obs"][0, OBJ_DIM:].tolist() == [1, 1]

    agents = env.possible_agents
    objects = env.state()[len(agents) * STATE_AGENT_DIM:][:3 * (STATE_OBJ_DIM + 2)].reshape(3, -1)
    assert objects[:, STATE_OBJ_DIM:].tolist() == [[1, 1], [0, 0], [0, 0]]


def test_an_unseen_box_says_nothing_about_its_holder():
    env = make(hider_1_angle=math.pi)   # hider_1 looks away from the box
    obs = step(env, hider_0=GRAB)
    assert env.snapshot.agent_grab[0] == 0
    assert obs["hider_1"]["mask_ab_obs"][0] == 0
    assert not obs["hider_1"]["box_obs"][0].any()
