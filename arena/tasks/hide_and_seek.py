"""Hide-and-seek: after the preparation phase hiders score +1 a step when no seeker sees any
hider and -1 otherwise, seekers the opposite; leaving the play area replaces that reward.
Episode statistics follow upstream's: how far boxes and ramps moved and how many were locked,
at the end of the preparation phase and at the end of the episode, and how long hiders hid;
and those the emergence stages are read from: whether the hiders sat in a room with every door
shut by their locked boxes when the preparation phase ended (a fort), what share of the ramps they had
locked by then or shut in their sealed room (out of the seekers' use), and how often a seeker got into the hiders' room over a LOW wall on a ramp."""
from __future__ import annotations

import numpy as np

from arena import forts
from arena.geometry import beyond
from arena.layouts import Layout
from arena.mechanics import outside
from arena.snapshot import BOX, HIDERS, RAMP, SEEKERS, Snapshot
from scenarios.schema import Scenario


class HideAndSeek:
    def __init__(self, scenario: Scenario, first: Snapshot, layout: Layout):
        self.rewards_spec = scenario.task.rewards
        team = first.static.agent_team
        self.hider_idx, self.seeker_idx = np.flatnonzero(team == HIDERS), np.flatnonzero(team == SEEKERS)
        self.side = np.where(team == HIDERS, 1.0, -1.0)
        self.seeker_hider = np.outer(team == SEEKERS, team == HIDERS)
        self.layout = layout
        self.start = first.obj_pos.copy()
        self.hidden_steps = 0
        self.seeker_crossings = 0
        self.was_elevated = first.agent_elevated.copy()
        self.last_pos = first.agent_pos.copy()
        self.mounted_outside = np.zeros(len(team), dtype=bool)   # got on a ramp outside the hiders' room
        self.entered_over_wall = np.zeros(len(team), dtype=bool)  # since then, stepped into it over a LOW wall
        self.stats: dict[str, float] = {}
        if first.static.prep_steps == 0:
            self._record_phase(first, "_prep")

    def step(self, snap: Snapshot) -> np.ndarray:
        """Rewards for the step that led to `snap`, noting what the statistics need."""
        spec = self.rewards_spec
        if snap.t > snap.static.prep_steps:  # the step into t was a main-phase step
            seen = (snap.sees_agent & self.seeker_hider).any()
            self.hidden_steps += int(not seen)
            reward = self.side * (spec.seen if seen else spec.hidden)
            self._out_of_bounds(snap, reward)
        else:
            reward = np.zeros(len(self.side))
        if snap.t == snap.static.prep_steps:
            self._record_phase(snap, "_prep")
        if (self._up(snap) | self.was_elevated).any():
            self._note_ramp_use(snap)
        self.last_pos = snap.agent_pos.copy()
        return reward

    def _out_of_bounds(self, snap: Snapshot, reward: np.ndarray) -> None:
        """As upstream's RestrictAgentsRect, inside its preparation-phase wrapper: the penalty
        replaces the step's reward, for every agent while a box or ramp is out (when the scenario
        says so) and for each agent that is out."""
        spec, size = self.rewards_spec, snap.static.size
        if spec.penalize_objects_out and beyond(snap.obj_pos, 0.0, size):
            reward[:] = spec.out_of_bounds
        if beyond(snap.agent_pos, 0.0, size):
            reward[outside(snap.agent_pos, size)] = spec.out_of_bounds

    def terminated(self, snap: Snapshot) -> bool:
        return False

    def _note_ramp_use(self, snap: Snapshot) -> None:
        """A seeker's ramp crossing: it got on a ramp outside the hiders' room, entered the room over a
        LOW wall while elevated (a step from outside to inside that cuts the wall, not a door gap), and
        stepped down inside. Walking a wall top and stepping down outside, or riding through a door,
        is none. Without a hiders' room nothing counts."""
        room = self.layout.room
        if room is None:
            return
        now, up, before = snap.agent_elevated, self._up(snap), self.was_elevated
        was_in, is_in = forts.inside(self.last_pos, room), forts.inside(snap.agent_pos, room)
        for i in self.seeker_idx:
            if up[i] and not before[i]:
                self.mounted_outside[i], self.entered_over_wall[i] = not was_in[i], False
            if (up[i] or before[i]) and not was_in[i] and is_in[i] \
                    and forts.crosses_low_wall(self.last_pos[i], snap.agent_pos[i], snap.static.walls):
                self.entered_over_wall[i] = True
            if (up[i] or before[i]) and not now[i] and self.mounted_outside[i] and self.entered_over_wall[i] and is_in[i]:
                self.seeker_crossings += 1
        self.was_elevated = now.copy()

    @staticmethod
    def _up(snap: Snapshot) -> np.ndarray:
        """Who was up at some point of the step into `snap`, even if down again by its end."""
        return snap.agent_elevated if snap.agent_rose is None else snap.agent_elevated | snap.agent_rose

    def _record_phase(self, snap: Snapshot, suffix: str) -> None:
        moved = np.linalg.norm(snap.obj_pos - self.start, axis=1)
        kind = snap.static.obj_kind
        for name, k in (("box", BOX), ("ramp", RAMP)):
            mine = kind == k
            self.stats[f"max_{name}_move{suffix}"] = float(moved[mine].max(initial=0.0))
            self.stats[f"num_{name}_lock{suffix}"] = float((snap.obj_lock[mine] >= 0).sum())
        if suffix == "_prep":
            ramps = kind == RAMP
            locked = ramps & (snap.obj_lock == HIDERS)
            self.stats["ramps_locked_by_hiders_prep"] = float(locked.sum() / ramps.sum()) if ramps.any() else 0.0
            defended = locked | (ramps & self._shut_in(snap))
            self.stats["ramps_defended_prep"] = float(defended.sum() / ramps.sum()) if ramps.any() else 0.0
            self.stats["fort_prep"] = float(forts.fort(snap, self.layout, self.hider_idx, HIDERS))
            # the same, under a key for the room's door count: averaged over the episodes that have it
            doors = int(forts.of_room(self.layout, self.layout.room).sum())
            self.stats[f"fort_prep_doors_{doors}"] = self.stats["fort_prep"]

    def _shut_in(self, snap: Snapshot) -> np.ndarray:
        """(O,) bool: objects out of the seekers' reach inside the hiders' room: their centre is in the
        room and the hiders' locked boxes seal it (no path an agent fits through leads in on the ground)."""
        room = self.layout.room
        if room is None or not forts.sealed(snap, room, np.zeros((0, 4)), HIDERS):
            return np.zeros(len(snap.obj_pos), dtype=bool)
        return forts.inside(snap.obj_pos, room)

    def episode_stats(self, last: Snapshot) -> dict[str, float]:
        self._record_phase(last, "")
        main_steps = max(last.t - last.static.prep_steps, 1)
        self.stats["hidden_fraction"] = self.hidden_steps / main_steps
        self.stats["seeker_ramp_crossings"] = float(self.seeker_crossings)
        return dict(self.stats)
