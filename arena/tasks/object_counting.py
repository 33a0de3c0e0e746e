"""Object counting, after the paper's intelligence tests. The boxes start in the centre room of a
3 x 1 grid with doorless walls. During the preparation phase the seeker is frozen, and one box
after another (every `stagger_steps`, nearest to the seeker first) slides at `box_speed`, through
the walls, to the middle of the side room nearer its start, where the walls hide it. On the final step (the only one after the
watch) the seeker answers with its torque component: bin n (0-10) says "n boxes went left". The
reward is `correct` if that is right, `wrong` otherwise, and 0 on every other step. The answer
ends the episode: a termination, not a time-limit truncation, so learners do not bootstrap a
value after it (the state after the answer looks like the one before it, and a bootstrap there
feeds the answer step's value back into itself)."""
from __future__ import annotations

import numpy as np

from arena.layouts import Layout
from arena.snapshot import Snapshot
from scenarios.schema import Scenario

TORQUE = 2


class ObjectCounting:
    def __init__(self, scenario: Scenario, first: Snapshot, layout: Layout):
        self.spec = scenario.task
        left, middle, right = (0.5 * (x0 + x1) for x0, _, x1, _ in layout.rooms)
        self.goal_x = np.where(first.obj_pos[:, 0] < middle, left, right)
        self.went_left = int((first.obj_pos[:, 0] < middle).sum())
        # Nearest first, so a box leaving never stood between the seeker and one yet to leave.
        rank = np.argsort(np.argsort(np.linalg.norm(first.obj_pos - first.agent_pos[0], axis=1)))
        self.departure = self.spec.stagger_steps * rank
        self.step_seconds = scenario.world.physics.step_seconds
        self.answer: int | None = None

    def script(self, snap: Snapshot, actions: np.ndarray) -> np.ndarray:
        """Velocities of the boxes for the coming step; notes the answer on the final step."""
        if snap.t == snap.static.horizon - 1:
            self.answer = int(actions[0, TORQUE])
        speed = self.spec.box_speed
        vx = np.clip((self.goal_x - snap.obj_pos[:, 0]) / self.step_seconds, -speed, speed)
        vx[snap.t < self.departure] = 0.0
        return np.column_stack([vx, np.zeros_like(vx)])

    def step(self, snap: Snapshot) -> np.ndarray:
        if snap.t < snap.static.horizon:
            return np.zeros(1)
        return np.array([self.spec.correct if self.answer == self.went_left else self.spec.wrong])

    def terminated(self, snap: Snapshot) -> bool:
        return snap.t >= snap.static.horizon

    def episode_stats(self, last: Snapshot) -> dict[str, float]:
        return {"boxes": float(len(self.goal_x)), "went_left": float(self.went_left),
                "answer": float(-1 if self.answer is None else self.answer),
                "correct": float(self.answer == self.went_left)}
