"""Hide-and-seek: after the preparation phase hiders score +1 a step when no seeker sees any
hider and -1 otherwise, seekers the opposite; leaving the play area replaces that reward.
Episode statistics follow upstream's: how far boxes and ramps moved and how many were locked,
at the end of the preparation phase and at the end of the episode, and how long hiders hid;
and those the emergence stages are read from: whether the hiders sat in a room with every door
shut by their locked boxes when the preparation phase ended (a fort), what share of the ramps they had
locked by then, and how often seekers crossed a LOW wall on a ramp."""
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
        self.mounted_at = first.agent_pos.copy()
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
        if (snap.agent_elevated != self.was_elevated).any():
            self._note_elevation(snap)
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

    def _note_elevation(self, snap: Snapshot) -> None:
        for i in np.flatnonzero(snap.agent_elevated & ~self.was_elevated):
            self.mounted_at[i] = snap.agent_pos[i]
        for i in np.flatnonzero(~snap.agent_elevated & self.was_elevated):
            if i in self.seeker_idx and forts.crosses_low_wall(self.mounted_at[i], snap.agent_pos[i], snap.static.walls):
                self.seeker_crossings += 1
        self.was_elevated = snap.agent_elevated.copy()

    def _record_phase(self, snap: Snapshot, suffix: str) -> None:
        moved = np.linalg.norm(snap.obj_pos - self.start, axis=1)
        kind = snap.static.obj_kind
        for name, k in (("box", BOX), ("ramp", RAMP)):
            mine = kind == k
            self.stats[f"max_{name}_move{suffix}"] = float(moved[mine].max(initial=0.0))
            self.stats[f"num_{name}_lock{suffix}"] = float((snap.obj_lock[mine] >= 0).sum())
        if suffix == "_prep":
            ramps = kind == RAMP
            locked = (ramps & (snap.obj_lock == HIDERS)).sum()
            self.stats["ramps_locked_by_hiders_prep"] = float(locked / ramps.sum()) if ramps.any() else 0.0
            self.stats["fort_prep"] = float(forts.fort(snap, self.layout, self.hider_idx, HIDERS))
            # the same, under a key for the room's door count: averaged over the episodes that have it
            doors = int(forts.of_room(self.layout, self.layout.room).sum())
            self.stats[f"fort_prep_doors_{doors}"] = self.stats["fort_prep"]

    def episode_stats(self, last: Snapshot) -> dict[str, float]:
        self._record_phase(last, "")
        main_steps = max(last.t - last.static.prep_steps, 1)
        self.stats["hidden_fraction"] = self.hidden_steps / main_steps
        self.stats["seeker_ramp_crossings"] = float(self.seeker_crossings)
        return dict(self.stats)
