"""What each agent observes and the omniscient state for centralised critics: pure functions of a
`Snapshot`. Entity rows of things an agent cannot see are zero and masked, as upstream."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from gymnasium import spaces

from arena.snapshot import BOX, RAMP, SEEKERS, Snapshot
from scenarios.schema import Scenario

SELF_DIM, AGENT_DIM, OBJ_DIM = 12, 8, 12
STATE_AGENT_DIM, STATE_OBJ_DIM = 10, 11


@dataclass(frozen=True)
class Slots:
    """Fixed observation sizes of a scenario: the most agents, boxes and ramps it can have."""
    agents: int
    boxes: int
    ramps: int
    rays: int

    @classmethod
    def of(cls, sc: Scenario) -> Slots:
        return cls(sc.agents.hiders.max + sc.agents.seekers.max, sc.boxes.count.max, sc.ramps.count.max,
                   sc.sensors.lidar_rays)


def _box(shape) -> spaces.Box:
    return spaces.Box(-np.inf, np.inf, shape=shape, dtype=np.float32)


def observation_space(slots: Slots) -> spaces.Dict:
    others = max(slots.agents - 1, 0)
    return spaces.Dict({
        "observation_self": _box((SELF_DIM,)),
        "agent_qpos_qvel": _box((others, AGENT_DIM)),
        "mask_aa_obs": spaces.MultiBinary(others),
        "box_obs": _box((slots.boxes, OBJ_DIM)),
        "mask_ab_obs": spaces.MultiBinary(slots.boxes),
        "ramp_obs": _box((slots.ramps, OBJ_DIM)),
        "mask_ar_obs": spaces.MultiBinary(slots.ramps),
        "lidar": _box((slots.rays,)),
    })


def state_space(slots: Slots) -> spaces.Box:
    return _box((slots.agents * STATE_AGENT_DIM + (slots.boxes + slots.ramps) * STATE_OBJ_DIM + 2,))


def _heading(angle: np.ndarray) -> np.ndarray:
    return np.stack([np.cos(angle), np.sin(angle)], -1)


class Observer:
    """Builds observations for one episode; `agent_slot[i]` is agent i's index in possible_agents."""

    def __init__(self, slots: Slots, agent_slot: np.ndarray, n_boxes: int):
        self.slots = slots
        self.agent_slot = agent_slot
        n = len(agent_slot)
        self.n_boxes = n_boxes
        # Row i lists, in slot order, the other agents of this episode and the slot each one fills.
        others = [[j for j in range(n) if j != i] for i in range(n)]
        self.other_index = np.array(others, dtype=np.int64).reshape(n, max(n - 1, 0))
        self.other_slot = np.array([[agent_slot[j] - (agent_slot[j] > agent_slot[i]) for j in row]
                                    for i, row in enumerate(others)], dtype=np.int64).reshape(n, max(n - 1, 0))

    def observe(self, snap: Snapshot) -> dict[int, dict[str, np.ndarray]]:
        st, slots = snap.static, self.slots
        n = len(snap.agent_pos)
        team = st.agent_team
        seeker = (team == SEEKERS).astype(np.float64)
        grabbing = snap.agent_grab >= 0
        own = np.column_stack([
            snap.agent_pos / st.size, snap.agent_vel, _heading(snap.agent_angle), snap.agent_angvel,
            snap.agent_elevated, seeker, grabbing, np.full(n, snap.t / st.horizon), np.full(n, float(snap.prep))])

        agent_feat = np.column_stack([snap.agent_vel, _heading(snap.agent_angle), snap.agent_elevated, seeker])
        others = np.zeros((n, slots.agents - 1, AGENT_DIM))
        mask_aa = np.zeros((n, slots.agents - 1), dtype=np.int8)
        if n > 1:
            rows = np.arange(n)[:, None]
            rel = snap.agent_pos[self.other_index] - snap.agent_pos[:, None]
            seen = snap.sees_agent[rows, self.other_index]
            others[rows, self.other_slot] = np.concatenate([rel, agent_feat[self.other_index]], -1) * seen[..., None]
            mask_aa[rows, self.other_slot] = seen

        rel = snap.obj_pos[None] - snap.agent_pos[:, None]
        lock = snap.obj_lock[None]
        obj_feat = np.concatenate([
            rel, np.broadcast_to(snap.obj_vel, rel.shape), np.broadcast_to(_heading(snap.obj_angle), rel.shape),
            np.broadcast_to(st.obj_half, rel.shape), np.broadcast_to(snap.obj_angvel[None, :, None], (n, len(lock[0]), 1)),
            ((lock >= 0) & (lock == team[:, None]))[..., None], ((lock >= 0) & (lock != team[:, None]))[..., None],
            (snap.agent_grab[:, None] == np.arange(len(lock[0]))[None])[..., None]], -1)
        obj_feat *= snap.sees_obj[..., None]
        boxes, ramps = st.obj_kind == BOX, st.obj_kind == RAMP
        box_obs = np.zeros((n, slots.boxes, OBJ_DIM))
        ramp_obs = np.zeros((n, slots.ramps, OBJ_DIM))
        mask_ab = np.zeros((n, slots.boxes), dtype=np.int8)
        mask_ar = np.zeros((n, slots.ramps), dtype=np.int8)
        box_obs[:, :boxes.sum()] = obj_feat[:, boxes]
        ramp_obs[:, :ramps.sum()] = obj_feat[:, ramps]
        mask_ab[:, :boxes.sum()] = snap.sees_obj[:, boxes]
        mask_ar[:, :ramps.sum()] = snap.sees_obj[:, ramps]
        lidar = snap.lidar / st.lidar_range

        own, others, box_obs, ramp_obs = (a.astype(np.float32) for a in (own, others, box_obs, ramp_obs))
        return {i: {"observation_self": own[i], "agent_qpos_qvel": others[i], "mask_aa_obs": mask_aa[i],
                    "box_obs": box_obs[i], "mask_ab_obs": mask_ab[i], "ramp_obs": ramp_obs[i],
                    "mask_ar_obs": mask_ar[i], "lidar": lidar[i]} for i in range(n)}

    def state(self, snap: Snapshot) -> np.ndarray:
        st, slots = snap.static, self.slots
        agents = np.zeros((slots.agents, STATE_AGENT_DIM))
        agents[self.agent_slot] = np.column_stack([
            np.ones(len(snap.agent_pos)), snap.agent_pos / st.size, snap.agent_vel, _heading(snap.agent_angle),
            snap.agent_elevated, st.agent_team == SEEKERS, snap.agent_grab >= 0])
        objects = np.zeros((slots.boxes + slots.ramps, STATE_OBJ_DIM))
        obj_slot = np.where(st.obj_kind == BOX, np.arange(len(st.obj_kind)),
                            slots.boxes + np.arange(len(st.obj_kind)) - self.n_boxes)
        objects[obj_slot] = np.column_stack([
            np.ones(len(snap.obj_pos)), snap.obj_pos / st.size, snap.obj_vel, _heading(snap.obj_angle), st.obj_half,
            snap.obj_lock == 0, snap.obj_lock == 1])
        return np.concatenate([agents.ravel(), objects.ravel(), [snap.t / st.horizon, float(snap.prep)]]).astype(np.float32)
