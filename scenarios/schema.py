"""The scenario language: what a YAML file may say. Every number the world uses lives here, with
the defaults of the original hide-and-seek environments. Unknown keys are errors."""
from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

# Every number has an upper bound as well: a scenario that validates must run (NaN and inf are refused
# for every model by `allow_inf_nan=False`).
PositiveFloat = Annotated[float, Field(gt=0, le=1000)]
NonNegativeFloat = Annotated[float, Field(ge=0, le=1000)]
NonNegativeInt = Annotated[int, Field(ge=0, le=1000)]
PositiveInt = Annotated[int, Field(ge=1, le=1000)]
Fraction = Annotated[float, Field(ge=0, le=1)]
Signed = Annotated[float, Field(ge=-10_000, le=10_000)]
CountBound = Annotated[int, Field(ge=0, le=100)]


MIN_GRID_ROOM_CELLS = 5


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, use_attribute_docstrings=True)


class Count(Strict):
    """A whole number drawn uniformly from [min, max] at every reset. Write `3`, `[1, 4]` or
    `{min: 1, max: 4}`."""
    min: CountBound
    """Smallest value drawn"""
    max: CountBound
    """Largest value drawn"""

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value):
        if isinstance(value, bool):
            raise ValueError("expected a whole number, a [min, max] pair or {min, max}")
        if isinstance(value, int):
            return {"min": value, "max": value}
        if isinstance(value, (list, tuple)):
            if len(value) != 2:
                raise ValueError("a range is a [min, max] pair")
            return {"min": value[0], "max": value[1]}
        return value

    @model_validator(mode="after")
    def _ordered(self):
        if self.min > self.max:
            raise ValueError(f"min ({self.min}) is larger than max ({self.max})")
        return self


class Physics(Strict):
    step_seconds: Annotated[float, Field(gt=0, le=1)] = 0.25
    """Simulated seconds per env step"""
    substeps: Annotated[int, Field(ge=1, le=64)] = 8
    """Physics substeps per env step"""
    damping: Annotated[float, Field(gt=0, le=1)] = 0.02
    """Fraction of velocity kept after 1 s"""
    friction: Annotated[float, Field(ge=0, le=10)] = 0.5
    """Coulomb friction between shapes"""


class World(Strict):
    size: Annotated[float, Field(gt=0, le=30)] = 6.0
    """Side of the square play area, metres"""
    grid: Annotated[int, Field(ge=4, le=300)] = 30
    """Layout cells per side; doors are whole cells"""
    margin: Annotated[float, Field(ge=0, le=2)] = 0.0
    """Outer TALL walls stand this far outside the play area"""
    wall_thickness: Annotated[float, Field(gt=0, le=1)] = 0.05
    """Thickness of every wall, metres"""
    physics: Physics = Physics()
    """Simulation step and contact settings"""


class Cylinder(Strict):
    """A fixed TALL cylinder at the centre of the play area, drawn as a regular polygon of walls."""
    radius: PositiveFloat = 0.5
    """Radius, metres (the least radius when radius_max is set)"""
    sides: Annotated[int, Field(ge=6, le=64)] = 12
    """Sides of the polygon it is drawn as"""
    radius_max: PositiveFloat | None = None
    """The radius is drawn from [radius, radius_max] each episode (upstream's objective_diameter range)"""
    middle: Fraction = 0.0
    """The centre is drawn uniformly inside the middle square of this share of the floor (upstream's
    uniform_away_from_walls: 0.7); 0 keeps it at the centre"""

    @model_validator(mode="after")
    def _radius_range(self):
        if self.radius_max is not None and self.radius_max < self.radius:
            raise ValueError(f"radius_max ({self.radius_max}) is below radius ({self.radius})")
        return self


class Layout(Strict):
    kind: Literal["open", "quadrant", "rooms", "grid", "tri"] = "quadrant"
    """Open floor, a quadrant room in a corner, random rooms, a grid of equal rooms, or upstream's three
    rooms (var_tri: one about half the floor, two about a quarter)"""
    room_cells: Count = Count(min=15, max=15)
    """Quadrant: side of the corner room"""
    rooms: Count = Count(min=1, max=4)
    """Rooms: how many rooms the floor is split into"""
    min_room_cells: Annotated[int, Field(ge=2, le=300)] = 5
    """Rooms: the least side of a room, in cells (upstream: 7)"""
    grid_rooms: tuple[PositiveInt, PositiveInt] = (3, 2)
    """Grid: equal rooms as (columns, rows)"""
    door_cells: Annotated[int, Field(ge=1, le=300)] = 2
    """Width of every door, in layout cells"""
    doors_per_wall: Count = Count(min=1, max=1)
    """Doors in each wall of a room"""
    door_dropout: Fraction = 0.0
    """Quadrant: the chance one of its two walls has no door"""
    low_perimeter: bool = False
    """LOW walls around the play area (needs margin > 0)"""
    outside_walls: Fraction = 0.0
    """The chance each episode that TALL walls ring the play area instead (upstream's prob_outside_walls;
    needs margin > 0, as the TALL walls at the margin always stand)"""
    sites: Count = Count(min=0, max=0)
    """Box-sized target sites on the floor (construction)"""
    cylinder: Cylinder | None = None
    """A fixed TALL cylinder at the centre (shelter construction)"""


class Agents(Strict):
    hiders: Count = Count(min=2, max=2)
    """Number of hiders"""
    seekers: Count = Count(min=2, max=2)
    """Number of seekers"""
    radius: PositiveFloat = 0.15
    """Agent radius, metres"""
    mass: PositiveFloat = 1.0
    """Agent mass, kg"""
    max_force: PositiveFloat = 8.0
    """Force of the strongest move action, newtons"""
    max_torque: PositiveFloat = 1.0
    """Torque of the strongest turn action, newton-metres"""
    grab_range: PositiveFloat = 0.25
    """Reach for grabbing, from the agent's centre to the object's outline, metres (upstream's lock_grab_radius)"""
    lock_range: PositiveFloat = 0.25
    """Reach for locking, from the agent's centre to the object's outline, metres (upstream's lock_grab_radius)"""


class Boxes(Strict):
    count: Count = Count(min=2, max=2)
    """Number of boxes"""
    elongated: Count = Count(min=0, max=0)
    """How many of them are elongated"""
    size: PositiveFloat = 0.5
    """Side of a square box, metres (the short side of an elongated one)"""
    elongated_length: PositiveFloat = 1.0
    """Long side of an elongated box, metres"""
    mass: PositiveFloat = 1.0
    """Box mass, kg"""


class Ramps(Strict):
    count: Count = Count(min=1, max=1)
    """Number of ramps"""
    length: PositiveFloat = 0.5
    """Ramp length along its slope, metres"""
    width: PositiveFloat = 0.5
    """Ramp width, metres"""
    mass: PositiveFloat = 1.0
    """Ramp mass, kg"""
    lockable: bool = True
    """Whether ramps can be locked"""


class Sensors(Strict):
    vision_angle_deg: Annotated[float, Field(gt=0, le=360)] = 135.0
    """Width of the vision cone, degrees"""
    vision_range: PositiveFloat = 20.0
    """How far agents see, metres"""
    lidar_rays: Annotated[int, Field(ge=0, le=256)] = 30
    """Lidar rays per agent (0 = no lidar)"""
    lidar_range: PositiveFloat = 6.0
    """Lidar range, metres"""
    state_lidar: bool = False
    """Env.state() also holds every agent's lidar: the only view of walls and doors a critic can get"""
    doors: Annotated[int, Field(ge=0, le=16)] = 0
    """Door slots in each observation and in env.state(): where the layout's doors are, those of the hiders' room
    first (0 = off, as upstream, where doors are seen by lidar alone)"""
    state_vision: bool = False
    """Env.state() also holds who sees whom (the agents' line-of-sight matrix, which the hide-and-seek reward is
    computed from): the critic then knows the step's reward instead of guessing it"""
    agent_index: bool = False
    """Each observation says which of its team's agents it is (a one-hot `agent_index`), as MAPPO's shared
    policies are usually told: identical teammates can then split up the work"""
    objects_always_seen: bool = False
    """Every box and ramp is in every observation, wherever the agent looks and whatever walls stand between
    (grabbing and locking still need the object in sight); agents stay seen by cone and walls"""
    state_forts: bool = False
    """Env.state() also holds what a fort is made of: for each door slot, the share of its gap that the hiders'
    locked boxes and that any box cover, and the share of the hiders inside their room, so that a critic can
    value a door being shut the step it happens (needs `doors`)"""
    clock: bool = True
    """Each observation holds the episode's progress and whether the preparation phase is on (as upstream's
    prep_obs). Off, both entries are zero (env.state() keeps them): agents cannot time an action to the step
    the preparation phase ends, and hiders must lock before seekers move."""
    doors_from_rank: bool = False
    """Each agent's door slots start from the door of the hiders' room matching its rank in its team (hider_1's
    first slot is the room's second door, when it has two): teammates that share a policy and head for their
    first door go to different doors (needs `doors`)"""
    held_by_others: bool = False
    """Each box and ramp row also says whether a teammate holds it and whether an opponent does (upstream rows
    say only "held by me"), and env.state()'s object rows whether a hider and a seeker hold it: a hider can
    then see that its teammate has taken a box and go for another"""
    boxes_from_rank: bool = False
    """Each agent's box slots start from the box matching its rank in its team (hider_1's first slot is box 1):
    teammates that share a policy and go for their first box take different boxes"""

    @model_validator(mode="after")
    def _need_doors(self):
        for option in ("state_forts", "doors_from_rank"):
            if getattr(self, option) and not self.doors:
                raise ValueError(f"sensors.{option} needs door slots: set sensors.doors to 1 or more")
        return self


Region = Literal["anywhere", "room", "outside", "each_room"]


class Spawn(Strict):
    """Where things appear at reset. `room` is the hiders' room (quadrant), the centre room (grid)
    or a random room; `each_room` deals the entities that ask for it out to the rooms in turn."""
    hiders: Region = "room"
    """Where hiders appear"""
    hiders_in_room: Fraction = 0.0
    """A spawn curriculum: the chance, each episode, that the hiders start in the hiders' room whatever
    `hiders` says. 0 is the original game (upstream's quadrant spawns them anywhere)."""
    seekers: Region = "outside"
    """Where seekers appear"""
    boxes: Region = "room"
    """Where boxes appear"""
    ramps: Region = "outside"
    """Where ramps appear"""
    boxes_at_doors: Fraction = 0.0
    """A spawn curriculum: the chance, each episode, that boxes start against the inside of the hiders' room
    doors (one per door) instead of in their region. 0 is the original game."""
    boxes_door_distance: NonNegativeFloat = 0.0
    """How far (metres) into the room from that door such a box may start, drawn uniformly from
    [boxes_door_distance_min, boxes_door_distance]: a reverse curriculum widens it from 0 (the box already
    shuts the door) to the room's size. A minimum keeps the box off the door, so that only pushing it there
    shuts the door."""
    boxes_door_distance_min: NonNegativeFloat = 0.0
    """The smallest such distance, metres: keeps a box off its door"""
    boxes_door_spread: Literal["normal", "around"] = "normal"
    """Which way from its door: `normal`, straight into the room (sideways by up to half the distance), facing
    the door; `around`, in any direction into the room, at any angle, so that at the room's size the boxes
    start as they do in the original game."""
    boxes_one_shut: Fraction = 0.0
    """The chance, each episode whose boxes start at the doors of a room with two or more doors, that the box of
    one door (drawn at random) stays against it, shutting it but unlocked, while the others move back by
    boxes_door_distance: such a room asks what a one-door room asks, plus locking the box already there, and
    each hider has a door of its own."""
    hiders_behind_boxes: NonNegativeFloat | None = None
    """When set, the hider dealt each such box (the k-th hider, the k-th box) starts just behind it, on the side
    away from its door, moved by up to this much (metres) along each axis: a reverse curriculum over where the
    hiders start, from ready to push (0) to anywhere in the room."""
    seekers_at_doors: Fraction = 0.0
    """The chance, each episode, that the seekers start just outside the doors of the hiders' room (the k-th
    seeker at door k, modulo the doors), up to seekers_door_distance metres out: a fort left unlocked when the
    preparation phase ends is then pushed open at once. 0 is the original game."""
    seekers_door_distance: NonNegativeFloat = 0.5
    """How far outside a door such a seeker may start, metres"""

    @model_validator(mode="after")
    def _distance_range(self):
        if self.boxes_door_distance_min > self.boxes_door_distance:
            raise ValueError(f"spawn.boxes_door_distance_min ({self.boxes_door_distance_min}) is above "
                             f"spawn.boxes_door_distance ({self.boxes_door_distance})")
        return self


class Rewards(Strict):
    hidden: Signed = 1.0
    """Per main-phase step, to each hider when no hider is seen"""
    seen: Signed = -1.0
    """Per main-phase step, to each hider when any hider is seen"""
    out_of_bounds: Signed = -10.0
    """Replaces a main-phase step's reward of an agent outside the play area"""
    penalize_objects_out: bool = False
    """... and of every agent while any box / ramp is outside"""


class Rules(Strict):
    prep_fraction: Fraction = 0.4
    """Share of the horizon that is the preparation phase (seekers frozen, no reward)"""
    lock_rule: Literal["all_lock_team_specific", "all_lock"] = "all_lock_team_specific"
    """Who may unlock a lock: only the locking team (upstream's default), or anyone"""
    box_surfing: bool = False
    """Elevated agents may grab and ride boxes"""
    lock_order: Literal["any", "box_index"] = "any"
    """Box_index: boxes lock 0, 1, 2, ... and unlock in reverse"""


class TaskSpec(Strict):
    def check(self, scenario: Scenario) -> None:
        """Raise ValueError naming the key when the rest of the scenario cannot host this task."""


class HideAndSeek(TaskSpec):
    kind: Literal["hide_and_seek"] = "hide_and_seek"
    """The task: hide and seek"""
    rewards: Rewards = Rewards()
    """Per-step rewards"""


class LockRewards(Strict):
    lock: Signed = 5.0
    """Each box newly locked"""
    unlock: Signed = -5.0
    """Each box newly unlocked"""
    shaped_scale: Signed = 0.5
    """Times the step's progress (metres) towards the next target"""
    success: Signed = 1.0
    """Every step the task stays done"""


class LockAndReturn(TaskSpec):
    """Lock every box, then come back to where the agent spawned."""
    kind: Literal["lock_and_return"] = "lock_and_return"
    """The task: lock every box, then return"""
    rewards: LockRewards = LockRewards()
    """Rewards for locking and progress"""
    return_threshold: PositiveFloat = 0.1
    """Metres from the spawn point that count as back"""
    observe_spawn: bool = False
    """The agent observes its spawn point (`spawn_obs`); upstream's agent must remember it"""

    def check(self, scenario: Scenario) -> None:
        _single_agent(scenario, "lock_and_return")


class SequentialLock(TaskSpec):
    """Lock every box, in the order `rules.lock_order` enforces and the agent is not told."""
    kind: Literal["sequential_lock"] = "sequential_lock"
    """The task: lock every box in a hidden order"""
    rewards: LockRewards = LockRewards()
    """Rewards for locking and progress"""

    def check(self, scenario: Scenario) -> None:
        _single_agent(scenario, "sequential_lock")
        if scenario.rules.lock_order != "box_index":
            raise ValueError("rules.lock_order: sequential_lock needs box_index (the hidden order)")


class Blueprint(TaskSpec):
    """Push a box onto every target site (`layout.sites`)."""
    kind: Literal["blueprint_construction"] = "blueprint_construction"
    """The task: push a box onto every target site"""
    dense_scale: Signed = 0.05
    """Reward -dense_scale x the mean over site corners of the smooth-min corner distance"""
    smooth_min_alpha: Signed = -1.5
    """Softness of that minimum over boxes (more negative: harder)"""
    completion: Signed = 3.0
    """Times the number of sites, once every site holds a box"""
    site_activation_radius: PositiveFloat = 0.1
    """Mean corner distance at which a site holds a box"""

    def check(self, scenario: Scenario) -> None:
        sites, boxes = scenario.layout.sites, scenario.boxes
        if sites.min < 1:
            raise ValueError("layout.sites: blueprint_construction needs at least one target site")
        square = boxes.count.min - boxes.elongated.max
        if sites.max > square:
            raise ValueError(f"layout.sites: up to {sites.max} sites but as few as {square} square boxes to fill them")


class Shelter(TaskSpec):
    """Hide the cylinder (`layout.cylinder`) from rays cast at it from the edges of the play area."""
    kind: Literal["shelter_construction"] = "shelter_construction"
    """The task: hide the cylinder from rays"""
    rays_per_side: PositiveInt = 30
    """Rays cast at the cylinder from each side of the play area"""
    ray_penalty: Signed = -0.001
    """Per ray that reaches the cylinder, every step"""
    observe_rays: bool = False
    """Agents observe which rays reach the cylinder (`shelter_rays_obs`)"""

    def check(self, scenario: Scenario) -> None:
        if scenario.layout.cylinder is None:
            raise ValueError("layout.cylinder: shelter_construction needs a cylinder to shelter")


class ObjectCounting(TaskSpec):
    """A frozen seeker watches the boxes of the centre room slide, one after another, through the
    walls of a 3 x 1 grid into the nearer side room during the preparation phase; its torque bin on
    the final step is its count of boxes that went left."""
    kind: Literal["object_counting"] = "object_counting"
    """The task: count the boxes that went left"""
    box_speed: PositiveFloat = 1.0
    """Metres per second of the scripted slide"""
    stagger_steps: NonNegativeInt = 2
    """Steps between one box setting off and the next"""
    correct: Signed = 1.0
    """Reward for the right count"""
    wrong: Signed = 0.0
    """Reward for a wrong count"""

    def check(self, sc: Scenario) -> None:
        lay = sc.layout
        if lay.kind != "grid" or tuple(lay.grid_rooms) != (3, 1) or lay.doors_per_wall.max != 0:
            raise ValueError("layout: object_counting needs kind grid, grid_rooms [3, 1] and doors_per_wall 0")
        if sc.agents.hiders.max != 0 or (sc.agents.seekers.min, sc.agents.seekers.max) != (1, 1):
            raise ValueError("agents: object_counting has exactly one seeker and no hiders")
        if sc.boxes.count.max > 10:
            raise ValueError("boxes.count: at most 10 boxes, the largest count the torque bins (0-10) can answer")
        if sc.horizon != sc.prep_steps + 1:
            raise ValueError(f"rules.prep_fraction: the watch phase must last all but the final answer step "
                             f"(horizon {sc.horizon}, watch {sc.prep_steps} steps)")
        # The longest slide: from the centre of the middle room to the centre of a side room.
        slide = math.ceil(sc.world.size / 3 / (self.box_speed * sc.world.physics.step_seconds))
        need = self.stagger_steps * (sc.boxes.count.max - 1) + slide
        if sc.prep_steps < need:
            raise ValueError(f"rules.prep_fraction: a watch phase of {sc.prep_steps} steps is shorter than the "
                             f"scripted slides ({need} steps)")


def _has_hiders_room(lay: Layout) -> bool:
    return lay.kind in ("quadrant", "grid", "tri") or (lay.kind == "rooms" and lay.rooms.min >= 2)


def _single_agent(scenario: Scenario, kind: str) -> None:
    agents = scenario.agents
    if agents.seekers.max != 0 or (agents.hiders.min, agents.hiders.max) != (1, 1):
        raise ValueError(f"agents: {kind} has exactly one agent: hiders 1, seekers 0")


Task = Annotated[HideAndSeek | LockAndReturn | SequentialLock | Blueprint | Shelter | ObjectCounting,
                 Field(discriminator="kind")]


class Scenario(Strict):
    name: str
    """Scenario name (default: the file name)"""
    description: str = ""
    """What the scenario is for, shown by `arena scenarios`"""
    horizon: Annotated[int, Field(ge=1, le=100_000)] = 80
    """Env steps per episode"""
    world: World = World()
    """The play area and its physics"""
    layout: Layout = Layout()
    """Walls, rooms and doors"""
    agents: Agents = Agents()
    """Team sizes and agent bodies"""
    boxes: Boxes = Boxes()
    """Movable boxes"""
    ramps: Ramps = Ramps()
    """Movable ramps"""
    sensors: Sensors = Sensors()
    """What agents observe"""
    spawn: Spawn = Spawn()
    """Where things appear at reset"""
    rules: Rules = Rules()
    """Game rules"""
    task: Task = HideAndSeek()
    """The task, chosen by its `kind`, and its rewards"""

    @model_validator(mode="after")
    def _consistent(self):
        cell = self.world.size / self.world.grid
        lay = self.layout
        if lay.door_cells * cell <= 2 * self.agents.radius + self.world.wall_thickness:
            raise ValueError(f"layout.door_cells: a door of {lay.door_cells} cells "
                             f"({lay.door_cells * cell:.2f} m) is too narrow for an agent of radius "
                             f"{self.agents.radius} m")
        if lay.kind == "quadrant":
            need = lay.doors_per_wall.max * (lay.door_cells + 1) + 1
            if lay.room_cells.min < need:
                raise ValueError(f"layout.room_cells: a room of {lay.room_cells.min} cells cannot fit "
                                 f"{lay.doors_per_wall.max} doors of {lay.door_cells} cells per wall "
                                 f"(needs at least {need})")
            if lay.room_cells.max >= self.world.grid:
                raise ValueError(f"layout.room_cells: the room ({lay.room_cells.max} cells) must be "
                                 f"smaller than the floor ({self.world.grid} cells)")
        if lay.kind == "rooms":
            need = 2 * lay.rooms.max * (lay.doors_per_wall.max * (lay.door_cells + 1) + 1)
            if self.world.grid < need // 2:
                raise ValueError(f"layout.rooms: {lay.rooms.max} rooms with doors of {lay.door_cells} "
                                 f"cells do not fit a grid of {self.world.grid} cells")
        if lay.low_perimeter and self.world.margin <= 2 * self.agents.radius:
            raise ValueError("layout.low_perimeter: needs world.margin larger than an agent's diameter")
        if self.boxes.elongated.min > self.boxes.count.min:
            raise ValueError(f"boxes.elongated: at least {self.boxes.elongated.min} elongated boxes but "
                             f"as few as {self.boxes.count.min} boxes")
        if lay.outside_walls and self.world.margin <= 0:
            raise ValueError("layout.outside_walls: needs world.margin above 0 (the walls stand at the play area's edge)")
        if self.spawn.boxes_at_doors and not _has_hiders_room(lay):
            raise ValueError(f"spawn.boxes_at_doors: the {lay.kind} layout with {lay.rooms.min} room(s) has no "
                             "hiders' room whose doors boxes could start at; use quadrant, grid or tri, or rooms "
                             "with at least 2")
        if lay.cylinder is not None and lay.cylinder.middle:
            radius = lay.cylinder.radius_max or lay.cylinder.radius
            if lay.cylinder.middle * self.world.size < 2 * radius:
                raise ValueError(f"layout.cylinder.middle: a cylinder of radius {radius} m does not fit "
                                 f"the middle {lay.cylinder.middle:.0%} of the floor")
        if self.agents.hiders.max + self.agents.seekers.max == 0:
            raise ValueError("agents: a scenario needs at least one agent")
        if lay.kind == "grid":
            cols, rows = lay.grid_rooms
            need = lay.doors_per_wall.max * (lay.door_cells + 1) + 1
            if min(self.world.grid // cols, self.world.grid // rows) < max(need, MIN_GRID_ROOM_CELLS):
                raise ValueError(f"layout.grid_rooms: {cols} x {rows} rooms of a {self.world.grid}-cell floor "
                                 f"are too small for their doors")
        self.task.check(self)
        return self

    @property
    def prep_steps(self) -> int:
        return int(round(self.rules.prep_fraction * self.horizon))
