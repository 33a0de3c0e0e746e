"""The scenario language: what a YAML file may say. Every number the world uses lives here, with
the defaults of the original hide-and-seek environments. Unknown keys are errors."""
from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

PositiveFloat = Annotated[float, Field(gt=0)]
NonNegativeFloat = Annotated[float, Field(ge=0)]
NonNegativeInt = Annotated[int, Field(ge=0)]
PositiveInt = Annotated[int, Field(ge=1)]
Fraction = Annotated[float, Field(ge=0, le=1)]


MIN_GRID_ROOM_CELLS = 5


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Count(Strict):
    """A whole number drawn uniformly from [min, max] at every reset. Write `3`, `[1, 4]` or
    `{min: 1, max: 4}`."""
    min: NonNegativeInt
    max: NonNegativeInt

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
    step_seconds: PositiveFloat = 0.25
    substeps: Annotated[int, Field(ge=1, le=64)] = 8
    damping: Annotated[float, Field(gt=0, le=1)] = 0.02   # fraction of velocity kept after 1 s
    friction: NonNegativeFloat = 0.5


class World(Strict):
    size: PositiveFloat = 6.0                 # side of the square play area, metres
    grid: Annotated[int, Field(ge=4)] = 30    # layout cells per side; doors are whole cells
    margin: NonNegativeFloat = 0.0            # outer TALL walls stand this far outside the play area
    wall_thickness: PositiveFloat = 0.05
    physics: Physics = Physics()


class Cylinder(Strict):
    """A fixed TALL cylinder at the centre of the play area, drawn as a regular polygon of walls."""
    radius: PositiveFloat = 0.5
    sides: Annotated[int, Field(ge=6)] = 12


class Layout(Strict):
    kind: Literal["open", "quadrant", "rooms", "grid"] = "quadrant"
    room_cells: Count = Count(min=15, max=15)  # quadrant: side of the corner room
    rooms: Count = Count(min=1, max=4)         # rooms: how many rooms the floor is split into
    grid_rooms: tuple[PositiveInt, PositiveInt] = (3, 2)  # grid: equal rooms as (columns, rows)
    door_cells: Annotated[int, Field(ge=1)] = 2
    doors_per_wall: Count = Count(min=1, max=1)
    door_dropout: Fraction = 0.0               # quadrant: the chance one of its two walls has no door
    low_perimeter: bool = False                # LOW walls around the play area (needs margin > 0)
    sites: Count = Count(min=0, max=0)         # box-sized target sites on the floor (construction)
    cylinder: Cylinder | None = None


class Agents(Strict):
    hiders: Count = Count(min=2, max=2)
    seekers: Count = Count(min=2, max=2)
    radius: PositiveFloat = 0.15
    mass: PositiveFloat = 1.0
    max_force: PositiveFloat = 8.0
    max_torque: PositiveFloat = 1.0
    # from the agent's centre to the object's outline, as upstream's lock_grab_radius
    grab_range: PositiveFloat = 0.25
    lock_range: PositiveFloat = 0.25
    mount_speed: NonNegativeFloat = 0.0  # minimum uphill speed to drive onto a ramp


class Boxes(Strict):
    count: Count = Count(min=2, max=2)
    elongated: Count = Count(min=0, max=0)  # how many of them are elongated
    size: PositiveFloat = 0.5
    elongated_length: PositiveFloat = 1.0
    mass: PositiveFloat = 1.0


class Ramps(Strict):
    count: Count = Count(min=1, max=1)
    length: PositiveFloat = 0.5
    width: PositiveFloat = 0.5
    mass: PositiveFloat = 1.0
    lockable: bool = True


class Sensors(Strict):
    vision_angle_deg: Annotated[float, Field(gt=0, le=360)] = 135.0
    vision_range: PositiveFloat = 20.0
    lidar_rays: Annotated[int, Field(ge=0)] = 30
    lidar_range: PositiveFloat = 6.0
    # env.state() also holds every agent's lidar: the only view of walls and doors a critic can get
    state_lidar: bool = False
    # Door slots in each observation and in env.state(): where the layout's doors are, those of the
    # hiders' room first (0 = off, as upstream, where doors are seen by lidar alone)
    doors: Annotated[int, Field(ge=0)] = 0
    # env.state() also holds who sees whom (the agents' line-of-sight matrix, which the hide-and-seek
    # reward is computed from): the critic then knows the step's reward instead of guessing it
    state_vision: bool = False
    # Each observation says which of its team's agents it is (a one-hot `agent_index`), as MAPPO's
    # shared policies are usually told: identical teammates can then split up the work
    agent_index: bool = False
    # Every box and ramp is in every observation, wherever the agent looks and whatever walls stand
    # between (grabbing and locking still need the object in sight); agents stay seen by cone and walls
    objects_always_seen: bool = False
    # env.state() also holds what a fort is made of: for each door slot, the share of its gap that the
    # hiders' locked boxes and that any box cover, and the share of the hiders inside their room, so
    # that a critic can value a door being shut the step it happens (needs `doors`)
    state_forts: bool = False
    # Each observation holds the episode's progress and whether the preparation phase is on (as
    # upstream's prep_obs). Off, both entries are zero (env.state() keeps them): agents cannot time
    # an action to the step the preparation phase ends, and hiders must lock before seekers move.
    clock: bool = True
    # Each agent's door slots start from the door of the hiders' room matching its rank in its team
    # (hider_1's first slot is the room's second door, when it has two): teammates that share a
    # policy and head for their first door go to different doors (needs `doors`)
    doors_from_rank: bool = False
    # Each box and ramp row also says whether a teammate holds it and whether an opponent does (upstream
    # rows say only "held by me"), and env.state()'s object rows whether a hider and a seeker hold it:
    # a hider can then see that its teammate has taken a box and go for another
    held_by_others: bool = False
    # Each agent's box slots start from the box matching its rank in its team (hider_1's first slot is
    # box 1): teammates that share a policy and go for their first box take different boxes
    boxes_from_rank: bool = False

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
    seekers: Region = "outside"
    boxes: Region = "room"
    ramps: Region = "outside"
    # A spawn curriculum: the chance, each episode, that boxes start against the inside of the
    # hiders' room doors (one per door) instead of in their region. 0 is the original game.
    boxes_at_doors: Fraction = 0.0
    # How far (metres) into the room from that door such a box may start, drawn uniformly from
    # [boxes_door_distance_min, boxes_door_distance]: a reverse curriculum widens it from 0 (the box
    # already shuts the door) to the room's size. A minimum keeps the box off the door, so that only
    # pushing it there shuts the door.
    boxes_door_distance: NonNegativeFloat = 0.0
    boxes_door_distance_min: NonNegativeFloat = 0.0
    # Which way from its door: `normal`, straight into the room (sideways by up to half the
    # distance), facing the door; `around`, in any direction into the room, at any angle, so that
    # at the room's size the boxes start as they do in the original game.
    boxes_door_spread: Literal["normal", "around"] = "normal"
    # The chance, each episode whose boxes start at the doors of a room with two or more doors, that
    # the box of one door (drawn at random) stays against it, shutting it but unlocked, while the
    # others move back by boxes_door_distance: such a room asks what a one-door room asks, plus
    # locking the box already there, and each hider has a door of its own.
    boxes_one_shut: Fraction = 0.0
    # When set, the hider dealt each such box (the k-th hider, the k-th box) starts just behind it,
    # on the side away from its door, moved by up to this much (metres) along each axis: a reverse
    # curriculum over where the hiders start, from ready to push (0) to anywhere in the room.
    hiders_behind_boxes: NonNegativeFloat | None = None
    # The chance, each episode, that the seekers start just outside the doors of the hiders' room
    # (the k-th seeker at door k, modulo the doors), up to seekers_door_distance metres out: a fort
    # left unlocked when the preparation phase ends is then pushed open at once. 0 is the original game.
    seekers_at_doors: Fraction = 0.0
    seekers_door_distance: NonNegativeFloat = 0.5

    @model_validator(mode="after")
    def _distance_range(self):
        if self.boxes_door_distance_min > self.boxes_door_distance:
            raise ValueError(f"spawn.boxes_door_distance_min ({self.boxes_door_distance_min}) is above "
                             f"spawn.boxes_door_distance ({self.boxes_door_distance})")
        return self


class Rewards(Strict):
    hidden: float = 1.0          # per main-phase step, to each hider when no hider is seen
    seen: float = -1.0           # per main-phase step, to each hider when any hider is seen
    out_of_bounds: float = -10.0 # replaces a main-phase step's reward of an agent outside the play area
    penalize_objects_out: bool = False  # ... and of every agent while any box / ramp is outside


class Rules(Strict):
    prep_fraction: Fraction = 0.4
    lock_rule: Literal["all_lock_team_specific", "all_lock"] = "all_lock_team_specific"
    box_surfing: bool = False     # elevated agents may grab and ride boxes
    lock_order: Literal["any", "box_index"] = "any"  # box_index: boxes lock 0, 1, 2, ... and unlock in reverse


class TaskSpec(Strict):
    def check(self, scenario: Scenario) -> None:
        """Raise ValueError naming the key when the rest of the scenario cannot host this task."""


class HideAndSeek(TaskSpec):
    kind: Literal["hide_and_seek"] = "hide_and_seek"
    rewards: Rewards = Rewards()


class LockRewards(Strict):
    lock: float = 5.0          # each box newly locked
    unlock: float = -5.0       # each box newly unlocked
    shaped_scale: float = 0.5  # times the step's progress (metres) towards the next target
    success: float = 1.0       # every step the task stays done


class LockAndReturn(TaskSpec):
    """Lock every box, then come back to where the agent spawned."""
    kind: Literal["lock_and_return"] = "lock_and_return"
    rewards: LockRewards = LockRewards()
    return_threshold: PositiveFloat = 0.1   # metres from the spawn point that count as back

    def check(self, scenario: Scenario) -> None:
        _single_agent(scenario, "lock_and_return")


class SequentialLock(TaskSpec):
    """Lock every box, in the order `rules.lock_order` enforces and the agent is not told."""
    kind: Literal["sequential_lock"] = "sequential_lock"
    rewards: LockRewards = LockRewards()

    def check(self, scenario: Scenario) -> None:
        _single_agent(scenario, "sequential_lock")
        if scenario.rules.lock_order != "box_index":
            raise ValueError("rules.lock_order: sequential_lock needs box_index (the hidden order)")


class Blueprint(TaskSpec):
    """Push a box onto every target site (`layout.sites`)."""
    kind: Literal["blueprint_construction"] = "blueprint_construction"
    dense_scale: float = 0.05        # reward -dense_scale x the sum over sites of smooth-min corner distance
    smooth_min_alpha: float = -1.5   # softness of that minimum over boxes (more negative: harder)
    completion: float = 3.0          # times the number of sites, once every site holds a box
    site_activation_radius: PositiveFloat = 0.1  # mean corner distance at which a site holds a box

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
    rays_per_side: PositiveInt = 30
    ray_penalty: float = -0.001      # per ray that reaches the cylinder, every step
    observe_rays: bool = False       # agents observe which rays reach the cylinder (`shelter_rays_obs`)

    def check(self, scenario: Scenario) -> None:
        if scenario.layout.cylinder is None:
            raise ValueError("layout.cylinder: shelter_construction needs a cylinder to shelter")


class ObjectCounting(TaskSpec):
    """A frozen seeker watches the boxes of the centre room slide, one after another, through the
    walls of a 3 x 1 grid into the nearer side room during the preparation phase; its torque bin on
    the final step is its count of boxes that went left."""
    kind: Literal["object_counting"] = "object_counting"
    box_speed: PositiveFloat = 1.0    # metres per second of the scripted slide
    stagger_steps: NonNegativeInt = 2  # steps between one box setting off and the next
    correct: float = 1.0
    wrong: float = 0.0

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


def _single_agent(scenario: Scenario, kind: str) -> None:
    agents = scenario.agents
    if agents.seekers.max != 0 or (agents.hiders.min, agents.hiders.max) != (1, 1):
        raise ValueError(f"agents: {kind} has exactly one agent: hiders 1, seekers 0")


Task = Annotated[HideAndSeek | LockAndReturn | SequentialLock | Blueprint | Shelter | ObjectCounting,
                 Field(discriminator="kind")]


class Scenario(Strict):
    name: str
    description: str = ""
    horizon: Annotated[int, Field(ge=1)] = 80
    world: World = World()
    layout: Layout = Layout()
    agents: Agents = Agents()
    boxes: Boxes = Boxes()
    ramps: Ramps = Ramps()
    sensors: Sensors = Sensors()
    spawn: Spawn = Spawn()
    rules: Rules = Rules()
    task: Task = HideAndSeek()

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
        if self.boxes.elongated.max > self.boxes.count.min:
            raise ValueError(f"boxes.elongated: up to {self.boxes.elongated.max} elongated boxes but "
                             f"as few as {self.boxes.count.min} boxes")
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
