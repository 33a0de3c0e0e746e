"""The pymunk side of one episode: the space, its bodies and shapes, collision categories, and a
fixed step of `substeps` physics steps. Everything else reads the world through `read()`."""
from __future__ import annotations

import dataclasses
import math

import numpy as np
import pymunk
import pymunk.batch

from arena import forts, layouts, sensors, spawn
from arena.geometry import beyond
from arena.snapshot import BOX, HIDERS, LOW, RAMP, SEEKERS, TALL, Static
from scenarios.errors import InputError
from scenarios.schema import Count, Scenario

# Collision categories: elevated agents pass over everything LOW (low walls, boxes, ramps).
# How far past a ramp's high end (or a box's edge) beyond a wall's thickness an agent up on it
# still rolls onto flush ground at its height: a narrower gap to a LOW wall can be crossed.
BRIDGE = 0.02
# An agent on a ramp is up once its centre is within its radius plus this of the high end: before
# it touches anything standing against that end, even at top speed (6 cm a substep).
REACH_TOP = 0.06
CAT_TALL, CAT_LOW, CAT_OBJ, CAT_AGENT, CAT_HIGH = 1, 2, 4, 8, 16
ALL = CAT_TALL | CAT_LOW | CAT_OBJ | CAT_AGENT | CAT_HIGH
GROUND_FILTER = pymunk.ShapeFilter(categories=CAT_AGENT, mask=ALL & ~CAT_HIGH)
HIGH_FILTER = pymunk.ShapeFilter(categories=CAT_HIGH, mask=CAT_TALL | CAT_HIGH)
OBJ_FILTER = pymunk.ShapeFilter(categories=CAT_OBJ, mask=ALL & ~CAT_HIGH)
SCRIPTED_FILTER = pymunk.ShapeFilter(categories=CAT_OBJ, mask=0)
WALL_FILTERS = {LOW: pymunk.ShapeFilter(categories=CAT_LOW, mask=ALL & ~CAT_HIGH),
                TALL: pymunk.ShapeFilter(categories=CAT_TALL, mask=ALL)}
COLL_AGENT, COLL_RAMP = 1, 2
_F = pymunk.batch.BodyFields
STATE_FIELDS = _F.BODY_ID | _F.POSITION | _F.ANGLE | _F.VELOCITY | _F.ANGULAR_VELOCITY
FORCE_FIELDS = _F.FORCE | _F.TORQUE
_batch = pymunk.batch
# pymunk.batch's own C iterators, called directly: its Python wrappers rebuild their arguments
# on every call, which costs more than the read or write itself at this world's size.
_SET_BODY = _batch.ffi.addressof(_batch.lib, "pmSpaceBodySetIteratorFuncBatched")
_GET_BODY = _batch.ffi.addressof(_batch.lib, "pmSpaceBodyGetIteratorFuncBatched")


def draw(rng: np.random.Generator, count: Count) -> int:
    return int(rng.integers(count.min, count.max + 1))


def _apply_placement(placement: dict, positions: np.ndarray, angles: np.ndarray, n_objects: int, n_agents: int):
    """reset(options={"objects": [(x, y, angle), ...], "agents": [...]}) puts things where a script
    wants them instead of where the spawn rules would."""
    unknown = set(placement) - {"objects", "agents"}
    if unknown:
        raise InputError(f"reset options: unknown keys {sorted(unknown)}; use 'objects' and 'agents'")
    for key, start, count in (("objects", 0, n_objects), ("agents", n_objects, n_agents)):
        rows = placement.get(key)
        if rows is None:
            continue
        rows = np.asarray(rows, dtype=np.float64)
        if rows.shape != (count, 3):
            raise InputError(f"reset options: '{key}' needs {count} rows of (x, y, angle), got shape {rows.shape}")
        positions[start:start + count] = rows[:, :2]
        angles[start:start + count] = rows[:, 2]


def _door_frames(doors: np.ndarray, room) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each door's middle, the vector along its gap, and the unit normal pointing into `room`."""
    middle, along = (doors[:, :2] + doors[:, 2:]) / 2, doors[:, 2:] - doors[:, :2]
    inward = np.stack([-along[:, 1], along[:, 0]], axis=1) / np.linalg.norm(along, axis=1, keepdims=True)
    inward *= np.sign((inward * (forts.room_centre(room) - middle)).sum(axis=1, keepdims=True))
    return middle, along, inward


def _against_doors(layout: layouts.Layout, box_half: np.ndarray, wall_half: float) -> np.ndarray:
    """(x, y, angle) rows putting boxes, one per door of the hiders' room, flat against the
    inside of each door with their long side along it."""
    if layout.room is None:
        return np.zeros((0, 3))
    doors = forts.room_doors(layout, layout.room)[:len(box_half)]
    middle, along, inward = _door_frames(doors, layout.room)
    xy = middle + inward * (box_half[:len(doors), 1:2] + wall_half + 0.01)
    return np.column_stack([xy, np.arctan2(along[:, 1], along[:, 0])])


def _near(rng, origins: np.ndarray, nearest: float, distance: float, lo: np.ndarray, hi: np.ndarray,
          draws: int = 256) -> np.ndarray | None:
    """One point per origin, uniform over the points of the box [lo, hi] whose distance from it is
    in [nearest, distance]; None if some origin got none of `draws` tries."""
    low, high = np.maximum(origins - distance, lo), np.minimum(origins + distance, hi)
    points = low[:, None] + rng.random((len(origins), draws, 2)) * (high - low)[:, None]
    gap = np.linalg.norm(points - origins[:, None], axis=2)
    fits = (gap >= nearest) & (gap <= distance)
    if not fits.any(axis=1).all():
        return None
    return points[np.arange(len(origins)), fits.argmax(axis=1)]


def _pulled_back(rng, at_doors: np.ndarray, box_half: np.ndarray, room, wall_half: float,
                 distance: float, nearest: float = 0.0, spread: str = "normal", tries: int = 20) -> np.ndarray:
    """The door poses moved `nearest` to `distance` into the room, kept inside it and clear of each
    other. `normal`: towards the room's centre, with up to half as much sideways jitter, still facing
    the door; `around`: anywhere in the room that far from the door pose (uniformly), turned any way.
    If no draw fits (doors close together at a corner), none: the boxes spawn in their region, rather
    than at the doors where they would shut them for free."""
    centre = forts.room_centre(room)
    n, half = len(at_doors), box_half[:len(at_doors)]
    margin = half.max(axis=1, keepdims=True) + wall_half + 0.01
    lo, hi = np.array(room[:2]) + margin, np.array(room[2:]) - margin
    inward = centre - at_doors[:, :2]
    inward /= np.linalg.norm(inward, axis=1, keepdims=True)
    side = np.stack([-inward[:, 1], inward[:, 0]], axis=1)
    for _ in range(tries):
        if spread == "around":
            xy, angle = _near(rng, at_doors[:, :2], nearest, distance, lo, hi), rng.uniform(-np.pi, np.pi, n)
            if xy is None:
                continue
        else:
            depth = rng.uniform(nearest, distance, n)[:, None]
            jitter = rng.uniform(-0.5, 0.5, n)[:, None] * depth
            xy, angle = np.clip(at_doors[:, :2] + inward * depth + side * jitter, lo, hi), at_doors[:, 2]
        if _apart(xy, half):
            return np.column_stack([xy, angle])
    return np.zeros((0, 3))


def _one_left_shut(rng, against: np.ndarray, pulled: np.ndarray, box_half: np.ndarray) -> np.ndarray:
    """`pulled` (boxes moved back from their doors) with the box of one door, at random, back against
    it as in `against`; `pulled` as it is if that box would overlap another."""
    k = int(rng.integers(len(pulled)))
    poses = pulled.copy()
    poses[k] = against[k]
    return poses if _apart(poses[:, :2], box_half[:len(poses)]) else pulled


def _apart(xy: np.ndarray, half: np.ndarray) -> bool:
    """Whether boxes of half-extents `half` centred at `xy`, however turned, keep clear of each other."""
    reach = np.hypot(half[:, 0], half[:, 1])
    gaps = np.linalg.norm(xy[:, None] - xy[None], axis=2) - reach[:, None] - reach[None]
    return bool((gaps[~np.eye(len(xy), dtype=bool)] > 0.02).all())


def _behind_boxes(layout: layouts.Layout, boxes: np.ndarray, reach: list[float], radius: float, spread: float,
                  first: int) -> dict[int, np.ndarray]:
    """spawn.place's `within` rectangles putting hider `first + k` behind box k, which is placed for
    the k-th door of the hiders' room: on the far side of it from the door, up to `spread` off."""
    doors = forts.room_doors(layout, layout.room)[:len(boxes)]
    away = boxes - (doors[:, :2] + doors[:, 2:]) / 2
    away /= np.linalg.norm(away, axis=1, keepdims=True)
    spots = boxes + away * (np.asarray(reach[:len(boxes)])[:, None] + radius + 2 * spawn.CLEARANCE)
    return {first + k: np.concatenate([spot - spread, spot + spread]) for k, spot in enumerate(spots)}


def _outside_doors(layout: layouts.Layout, count: int, radius: float, wall_half: float, distance: float,
                   first: int) -> dict[int, np.ndarray]:
    """spawn.place's `within` rectangles putting agent `first + k` just outside the (k mod doors)-th
    door of the hiders' room, its centre up to `distance` beyond the agent's own clearance."""
    if layout.room is None:
        return {}
    doors = forts.room_doors(layout, layout.room)
    if not len(doors):
        return {}
    middle, _, inward = _door_frames(doors, layout.room)
    spots = middle - inward * (wall_half + radius + spawn.CLEARANCE + distance / 2)
    half = distance / 2
    return {first + k: np.concatenate([spots[k % len(spots)] - half, spots[k % len(spots)] + half])
            for k in range(count)}


class World:
    def __init__(self, scenario: Scenario, rng: np.random.Generator, placement: dict | None = None):
        sc = scenario
        self.layout = layouts.generate(sc, rng)
        n_hiders, n_seekers = draw(rng, sc.agents.hiders), draw(rng, sc.agents.seekers)
        n_boxes = draw(rng, sc.boxes.count)
        n_long = min(draw(rng, sc.boxes.elongated), n_boxes)
        n_ramps = draw(rng, sc.ramps.count)
        box, ramp = sc.boxes, sc.ramps
        obj_half = np.array([[box.elongated_length / 2, box.size / 2]] * n_long
                            + [[box.size / 2, box.size / 2]] * (n_boxes - n_long)
                            + [[ramp.length / 2, ramp.width / 2]] * n_ramps, dtype=np.float64).reshape(-1, 2)
        obj_kind = np.array([BOX] * n_boxes + [RAMP] * n_ramps, dtype=np.int8)
        team = np.array([HIDERS] * n_hiders + [SEEKERS] * n_seekers, dtype=np.int8)
        self.n_agents, self.n_objects = len(team), len(obj_kind)

        # Target sites are placed last, as box-sized entities clear of walls and of everything else.
        n_sites = draw(rng, sc.layout.sites) if sc.layout.sites.max else 0  # no draw: streams stay as they were
        radii = ([float(np.hypot(*h)) for h in obj_half] + [sc.agents.radius] * len(team)
                 + [box.size / math.sqrt(2)] * n_sites)
        hider_region = sc.spawn.hiders
        if sc.spawn.hiders_in_room and rng.random() < sc.spawn.hiders_in_room:  # no draw when off
            hider_region = "room"
        regions = ([sc.spawn.boxes] * n_boxes + [sc.spawn.ramps] * n_ramps
                   + [hider_region] * n_hiders + [sc.spawn.seekers] * n_seekers + ["anywhere"] * n_sites)
        wall_half = sc.world.wall_thickness / 2
        at_doors = np.zeros((0, 3))
        if sc.spawn.boxes_at_doors and rng.random() < sc.spawn.boxes_at_doors:  # no draw when off
            at_doors = _against_doors(self.layout, obj_half[:n_boxes], wall_half)
            if sc.spawn.boxes_door_distance:
                against = at_doors
                at_doors = _pulled_back(rng, at_doors, obj_half, self.layout.room, wall_half,
                                        sc.spawn.boxes_door_distance, sc.spawn.boxes_door_distance_min,
                                        sc.spawn.boxes_door_spread)
                if len(at_doors) > 1 and sc.spawn.boxes_one_shut and rng.random() < sc.spawn.boxes_one_shut:
                    at_doors = _one_left_shut(rng, against, at_doors, obj_half)
        within = {}
        if sc.spawn.hiders_behind_boxes is not None and len(at_doors):
            within = _behind_boxes(self.layout, at_doors[:n_hiders, :2], radii, sc.agents.radius,
                                   sc.spawn.hiders_behind_boxes, first=len(obj_kind))
        if sc.spawn.seekers_at_doors and rng.random() < sc.spawn.seekers_at_doors:  # no draw when off
            within.update(_outside_doors(self.layout, n_seekers, sc.agents.radius, wall_half,
                                         sc.spawn.seekers_door_distance, first=len(obj_kind) + n_hiders))
        try:
            positions = spawn.place(rng, self.layout, sc.world.size, wall_half, radii, regions, at_doors[:, :2],
                                    within)
        except RuntimeError:
            if not within:
                raise
            # no room behind a box (another box or a wall there) or at a door: all start in their region
            positions = spawn.place(rng, self.layout, sc.world.size, wall_half, radii, regions, at_doors[:, :2])
        if n_sites:
            self.layout = dataclasses.replace(self.layout, sites=positions[len(radii) - n_sites:])
        angles = rng.uniform(-math.pi, math.pi, size=len(radii))
        angles[:len(at_doors)] = at_doors[:, 2]
        if placement:
            _apply_placement(placement, positions, angles, self.n_objects, self.n_agents)

        self.static = Static(
            size=sc.world.size, margin=sc.world.margin, walls=self.layout.walls, wall_half_thickness=wall_half,
            agent_team=team, agent_radius=sc.agents.radius, obj_kind=obj_kind, obj_half=obj_half,
            horizon=sc.horizon, prep_steps=sc.prep_steps,
            vision_half_angle=math.radians(sc.sensors.vision_angle_deg) / 2,
            vision_range=sc.sensors.vision_range, lidar_range=sc.sensors.lidar_range,
            lidar_angles=np.linspace(0, 2 * math.pi, sc.sensors.lidar_rays, endpoint=False))

        self.space = pymunk.Space()
        self.space.damping = sc.world.physics.damping
        self.space.collision_slop = 0.002
        self.dt = sc.world.physics.step_seconds / sc.world.physics.substeps
        self.substeps = sc.world.physics.substeps
        friction = sc.world.physics.friction
        for x0, y0, x1, y1, height in self.layout.walls:
            seg = pymunk.Segment(self.space.static_body, (x0, y0), (x1, y1), wall_half)
            seg.friction, seg.filter = friction, WALL_FILTERS[int(height)]
            self.space.add(seg)

        self.obj_bodies, self.obj_shapes = [], []
        for k in range(self.n_objects):
            body = pymunk.Body()
            body.position, body.angle = tuple(positions[k]), float(angles[k])
            shape = pymunk.Poly.create_box(body, tuple(2 * obj_half[k]))
            shape.mass = box.mass if obj_kind[k] == BOX else ramp.mass
            shape.friction, shape.filter = friction, OBJ_FILTER
            if obj_kind[k] == RAMP:
                shape.collision_type = COLL_RAMP
            self.space.add(body, shape)
            self.obj_bodies.append(body)
            self.obj_shapes.append(shape)

        self.agent_bodies, self.agent_shapes = [], []
        for i in range(self.n_agents):
            body = pymunk.Body()
            body.position, body.angle = tuple(positions[self.n_objects + i]), float(angles[self.n_objects + i])
            shape = pymunk.Circle(body, sc.agents.radius)
            shape.mass, shape.friction, shape.filter = sc.agents.mass, friction, GROUND_FILTER
            shape.collision_type = COLL_AGENT
            self.space.add(body, shape)
            self.agent_bodies.append(body)
            self.agent_shapes.append(shape)

        bodies = self.agent_bodies + self.obj_bodies
        ids = np.array([b.id for b in bodies], dtype=np.uintp)
        self._id_order = np.argsort(ids)
        self._sorted_ids = ids[self._id_order]
        self._buffer = pymunk.batch.Buffer()
        self._force_buffer = pymunk.batch.Buffer()
        self._force_data = _batch.ffi.new("pmBatchedData *")
        self._force_data.fields = FORCE_FIELDS.value
        self._force_data.floatArray = self._force_buffer._float_arr
        self._force_data.intArray = self._force_buffer._int_arr
        self._cp_space = self.space._space
        self._read_data = _batch.ffi.new("pmBatchedData *")
        self._read_data.fields = STATE_FIELDS.value
        self._read_data.floatArray = self._buffer._float_arr
        self._read_data.intArray = self._buffer._int_arr
        self._rows = self._rows_address = self._force_rows = self._force_rows_of = None
        self._iteration_changed = True
        self.occluders = sensors.Occluders(self.layout.walls, self.n_objects)

        self.elevated = np.zeros(self.n_agents, dtype=bool)
        self.rose = np.zeros(self.n_agents, dtype=bool)  # up at any substep of the last step
        self.climbing = np.full(self.n_agents, -1, dtype=np.int64)  # the ramp each agent is on
        self.grab = np.full(self.n_agents, -1, dtype=np.int16)
        self.lock = np.full(self.n_objects, -1, dtype=np.int8)
        self.lock_frozen = (obj_kind == RAMP) & (not sc.ramps.lockable)  # objects no vote can lock
        self.joints: list[tuple] = [()] * self.n_agents
        self.lip = 2 * wall_half + BRIDGE
        self._low_walls = self.layout.walls[self.layout.walls[:, 4] == LOW, :4]
        self._agent_of_shape = {s: i for i, s in enumerate(self.agent_shapes)}
        self._ramp_of_shape = {s: k for k, s in enumerate(self.obj_shapes) if obj_kind[k] == RAMP}
        self.space.on_collision(COLL_AGENT, COLL_RAMP, pre_solve=self._agent_meets_ramp)

    def _agent_meets_ramp(self, arbiter: pymunk.Arbiter, space: pymunk.Space, data) -> None:
        """An agent touching a ramp's low end drives onto it: the ramp stops being an obstacle to
        it. Its sides and high end stay obstacles."""
        agent_shape, ramp_shape = arbiter.shapes
        i, k = self._agent_of_shape[agent_shape], self._ramp_of_shape[ramp_shape]
        if self.climbing[i] == k:
            arbiter.process_collision = False
            return
        local = ramp_shape.body.world_to_local(agent_shape.body.position)
        half_length, half_width = self.static.obj_half[k]
        if local.x < -half_length and abs(local.y) < half_width:
            self.climbing[i] = k
            arbiter.process_collision = False

    def _climb(self) -> None:
        """Ramp heights, after every substep. On a ramp an agent still meets LOW walls and boxes
        until its centre is near the high end (`REACH_TOP`): then it is up (elevated), passing and
        seeing over everything LOW. It stays up over its ramp's top, over the lip just past the high
        end (far enough to cross a LOW wall that end stands against), and over a box (box surfing,
        with the same lip all round); walking back down the slope it is low again; elsewhere it
        comes down (`_land`). Off its ramp while low, it leaves it."""
        radius = self.static.agent_radius
        for i in np.flatnonzero(self.climbing >= 0).tolist():
            k = int(self.climbing[i])
            x, y = self.obj_bodies[k].world_to_local(self.agent_bodies[i].position)
            half_length, half_width = self.static.obj_half[k]
            across, high = abs(y) <= half_width, x >= half_length - radius - REACH_TOP
            if not self.elevated[i]:
                if across and high and x <= half_length:
                    self.set_elevated(i, True)
                elif not (across and -half_length - radius <= x <= half_length):
                    self.climbing[i] = -1
            elif across and -half_length <= x and not high:
                self.set_elevated(i, False)
            else:
                gap, foot = self._footing(i, k)
                if gap > 0.0:
                    self._land(i, foot)

    def _footing(self, i: int, k: int) -> tuple[float, pymunk.Vec2d]:
        """How far agent i's centre is from what holds it up (ramp k's top and lip, every box with
        its lip), and the nearest point of that."""
        st, lip, centre = self.static, self.lip, self.agent_bodies[i].position
        half_length, half_width = st.obj_half[k]
        regions = [(k, half_length - st.agent_radius - REACH_TOP, half_length + lip, half_width)]
        regions += [(b, -st.obj_half[b, 0] - lip, st.obj_half[b, 0] + lip, st.obj_half[b, 1] + lip)
                    for b in np.flatnonzero(st.obj_kind == BOX).tolist()]
        best = (math.inf, centre)
        for obj, x0, x1, half_y in regions:
            body = self.obj_bodies[obj]
            local = body.world_to_local(centre)
            nearest = pymunk.Vec2d(min(max(local.x, x0), x1), min(max(local.y, -half_y), half_y))
            gap = (local - nearest).length
            if gap < best[0]:
                best = (gap, body.local_to_world(nearest))
        return best

    def _land(self, i: int, foot: pymunk.Vec2d) -> None:
        """Come down off the ramp, pushed clear of any LOW wall it is over to the side of that wall
        where `foot` (the last ground that held it up) is: past a wall only when the lip beyond a
        high edge carried its centre over the wall's centre line; never onto a wall top."""
        self.set_elevated(i, False)
        self.climbing[i] = -1
        body, clear = self.agent_bodies[i], self.static.wall_half_thickness + self.static.agent_radius + 0.005
        foot = np.array(foot)
        for x0, y0, x1, y1 in self._low_walls.tolist():
            p, a, b = np.array(body.position), np.array([x0, y0]), np.array([x1, y1])
            along = b - a
            t = float(np.clip(np.dot(p - a, along) / max(np.dot(along, along), 1e-12), 0.0, 1.0))
            closest = a + t * along
            gap = float(np.linalg.norm(p - closest))
            if gap >= clear:
                continue
            if 0.0 < t < 1.0:   # beside the wall: to its foot's side
                normal = np.array([-along[1], along[0]]) / np.linalg.norm(along)
                side = np.sign(np.dot(foot - a, normal)) or np.sign(np.dot(p - a, normal)) or 1.0
                direction = side * normal
            else:               # past its end: straight off it
                direction = (p - closest) / max(gap, 1e-9)
            body.position = tuple(closest + direction * clear)

    def step(self, forces: np.ndarray, torques: np.ndarray) -> None:
        """One env step: hold each agent's force and torque through every substep. Forces go in
        with one bulk write per substep, in the order the space iterates its bodies."""
        if self._iteration_changed:
            self.read()
        rows = self._force_rows
        if self._force_rows_of is not self._agent_rows:  # new iteration order: fresh zero rows
            rows = self._force_rows = np.zeros((self._n_iterated, 3))
            self._force_rows_of = self._agent_rows
            self._force_buffer.set_float_buf(rows.ravel())  # pymunk reads these rows in place from now on
        rows[self._agent_rows, :2] = forces
        self.rose[:] = self.elevated
        rows[self._agent_rows, 2] = torques
        float_arr = self._force_buffer._float_arr
        for substep in range(self.substeps):
            float_arr.num = 0
            _batch.lib.cpSpaceEachBody(self._cp_space, _SET_BODY, self._force_data)
            if substep == 0:
                self.space.step(self.dt)  # pymunk's own checks and deferred adds, due once per env step
            else:
                _batch.lib.cpSpaceStep(self._cp_space, self.dt)
            if (self.climbing >= 0).any():
                self._climb()

    def set_locked(self, k: int, team: int) -> None:
        """Lock object k for a team (its body stops being dynamic), or unlock it with team -1."""
        self.obj_bodies[k].body_type = pymunk.Body.KINEMATIC if team >= 0 else pymunk.Body.DYNAMIC
        self.lock[k] = team
        self._iteration_changed = True

    def drive(self, velocity: np.ndarray) -> None:
        """Scripted scenes: every object moves at its given (O, 2) velocity for the next step,
        through walls and agents alike, and keeps scripted from now on."""
        for body, shape, v in zip(self.obj_bodies, self.obj_shapes, velocity.tolist()):
            if shape.filter != SCRIPTED_FILTER:
                body.body_type, shape.filter = pymunk.Body.KINEMATIC, SCRIPTED_FILTER
                self._iteration_changed = True
            body.velocity = tuple(v)

    def set_elevated(self, i: int, value: bool) -> None:
        self.elevated[i] = value
        self.rose[i] |= value
        self.agent_shapes[i].filter = HIGH_FILTER if value else GROUND_FILTER

    def read(self) -> tuple[np.ndarray, np.ndarray]:
        """Positions, angles and velocities in bulk: (A, 6) agents and (O, 6) objects, columns
        x, y, angle, vx, vy, angular velocity. Fresh arrays, in body order."""
        buffer = self._buffer
        buffer._float_arr.num = buffer._int_arr.num = 0
        _batch.lib.cpSpaceEachBody(self._cp_space, _GET_BODY, self._read_data)
        if self._rows is None or self._rows_address != buffer._float_arr.arr:
            # pymunk grows its arrays on the first read only; views stay valid until they move.
            self._rows = np.frombuffer(buffer.float_buf(), dtype=np.float64).reshape(-1, 6)
            self._ids = np.frombuffer(buffer.int_buf(), dtype=np.uintp)
            self._rows_address = buffer._float_arr.arr
            self._iteration_changed = True
        if self._iteration_changed:
            ids = self._ids
            pos = np.minimum(np.searchsorted(self._sorted_ids, ids), len(self._sorted_ids) - 1)
            ours = self._sorted_ids[pos] == ids  # the space's own static body is listed too
            self._rows_of_body = np.flatnonzero(ours)[np.argsort(self._id_order[pos[ours]])]
            self._agent_rows = self._rows_of_body[:self.n_agents]
            self._n_iterated = len(ids)
            self._iteration_changed = False
        table = self._rows[self._rows_of_body]
        return table[:self.n_agents], table[self.n_agents:]

    def keep_inside(self, snap) -> bool:
        """Put back anything the solver pushed past the outer walls. True when something moved."""
        lo = -self.static.margin + self.static.wall_half_thickness
        hi = self.static.size + self.static.margin - self.static.wall_half_thickness
        if not (beyond(snap.agent_pos, lo, hi) or beyond(snap.obj_pos, lo, hi)):
            return False
        pos = np.concatenate([snap.agent_pos, snap.obj_pos])
        bodies = self.agent_bodies + self.obj_bodies
        for i in np.flatnonzero(((pos < lo) | (pos > hi)).any(axis=1)):
            bodies[i].position = tuple(np.clip(pos[i], lo + 0.2, hi - 0.2))
            bodies[i].velocity = (0.0, 0.0)
        return True
