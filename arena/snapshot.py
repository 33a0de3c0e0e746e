"""One immutable numpy picture of the world per env step.

Observations, rewards, statistics, the recorder and the renderer read a `Snapshot`, never the live
pymunk space. `Static` holds what does not change during an episode and is shared by every
snapshot of that episode.

Conventions: the play area is the square [0, size]^2 in metres; outer walls may stand `margin`
beyond it. Objects are boxes then ramps, in one table. Teams: 0 = hiders, 1 = seekers. A lock
owner or grab target of -1 means none.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np

HIDERS, SEEKERS = 0, 1
BOX, RAMP = 0, 1
LOW, TALL = 0, 1


@dataclass(frozen=True, eq=False)
class Static:
    size: float                # side of the square play area
    margin: float              # outer walls stand this far outside the play area
    walls: np.ndarray          # (W, 5) x0, y0, x1, y1, height (LOW or TALL)
    wall_half_thickness: float
    agent_team: np.ndarray     # (A,) int8
    agent_radius: float
    obj_kind: np.ndarray       # (O,) int8 BOX or RAMP
    obj_half: np.ndarray       # (O, 2) half extents along the object's local x and y
    horizon: int
    prep_steps: int
    vision_half_angle: float   # radians
    lidar_range: float
    lidar_angles: np.ndarray   # (R,) world-frame ray angles
    vision_range: float = 20.0
    # Fixed marks of the episode's layout that are not walls (drawn by the renderer, kept in replays):
    sites: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))      # (S, 2) target-site centres
    cylinders: np.ndarray = field(default_factory=lambda: np.zeros((0, 3)))  # (C, 3) x, y, radius

    def __post_init__(self):
        # Shapes survive an empty list (a replay's JSON meta) and a missing layout mark alike.
        object.__setattr__(self, "sites", np.asarray(self.sites, dtype=np.float64).reshape(-1, 2))
        object.__setattr__(self, "cylinders", np.asarray(self.cylinders, dtype=np.float64).reshape(-1, 3))

    def with_layout(self, layout) -> Static:
        """This static with the layout's target sites and cylinder (an `arena.layouts.Layout`)."""
        cylinders = () if layout.cylinder is None else [layout.cylinder]
        return replace(self, sites=layout.sites, cylinders=cylinders)

    @cached_property
    def lidar_cos(self) -> np.ndarray:
        return np.cos(self.lidar_angles)

    @cached_property
    def lidar_sin(self) -> np.ndarray:
        return np.sin(self.lidar_angles)


@dataclass(frozen=True, eq=False)
class Snapshot:
    static: Static
    t: int                     # steps taken since reset
    agent_pos: np.ndarray      # (A, 2)
    agent_vel: np.ndarray      # (A, 2)
    agent_angle: np.ndarray    # (A,) heading, radians
    agent_angvel: np.ndarray   # (A,)
    agent_elevated: np.ndarray # (A,) bool: on a ramp / box / wall top
    agent_grab: np.ndarray     # (A,) int16 index of the held object, -1 none
    obj_pos: np.ndarray        # (O, 2)
    obj_vel: np.ndarray        # (O, 2)
    obj_angle: np.ndarray      # (O,)
    obj_angvel: np.ndarray     # (O,)
    obj_lock: np.ndarray       # (O,) int8 team that locked it, -1 none
    sees_agent: np.ndarray     # (A, A) bool: agent i sees agent j (cone + line of sight)
    sees_obj: np.ndarray       # (A, O) bool
    lidar: np.ndarray          # (A, R) float32 distance to the first hit, lidar_range if none
    # (A,) bool: up at any substep of the step into t (an agent can climb, cross a wall and land
    # within one step); None where it was not recorded (replays)
    agent_rose: np.ndarray | None = None

    @property
    def prep(self) -> bool:
        return self.t < self.static.prep_steps


def take(world, t: int) -> Snapshot:
    """Read the live world once and derive what every agent senses."""
    from arena.sensors import sense

    st = world.static
    agents, objects = world.read()
    pos, angle, obj_pos, obj_angle = agents[:, 0:2], agents[:, 2], objects[:, 0:2], objects[:, 2]
    elevated = world.elevated.copy()
    sees_agent, sees_obj, lidar = sense(st, world.occluders, pos, angle, elevated, obj_pos, obj_angle)
    return Snapshot(
        static=st, t=t, agent_pos=pos, agent_vel=agents[:, 3:5], agent_angle=angle, agent_angvel=agents[:, 5],
        agent_elevated=elevated, agent_grab=world.grab.copy(), obj_pos=obj_pos, obj_vel=objects[:, 3:5],
        obj_angle=obj_angle, obj_angvel=objects[:, 5], obj_lock=world.lock.copy(), sees_agent=sees_agent,
        sees_obj=sees_obj, lidar=lidar, agent_rose=world.rose.copy())
