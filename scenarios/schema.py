"""The scenario language: what a YAML file may say. Every number the world uses lives here, with
the defaults of the original hide-and-seek environments. Unknown keys are errors."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

PositiveFloat = Annotated[float, Field(gt=0)]
NonNegativeFloat = Annotated[float, Field(ge=0)]
NonNegativeInt = Annotated[int, Field(ge=0)]
Fraction = Annotated[float, Field(ge=0, le=1)]


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


class Layout(Strict):
    kind: Literal["open", "quadrant", "rooms"] = "quadrant"
    room_cells: Count = Count(min=15, max=15)  # quadrant: side of the corner room
    rooms: Count = Count(min=1, max=4)         # rooms: how many rooms the floor is split into
    door_cells: Annotated[int, Field(ge=1)] = 2
    doors_per_wall: Count = Count(min=1, max=1)
    low_perimeter: bool = False                # LOW walls around the play area (needs margin > 0)


class Agents(Strict):
    hiders: Count = Count(min=2, max=2)
    seekers: Count = Count(min=2, max=2)
    radius: PositiveFloat = 0.15
    mass: PositiveFloat = 1.0
    max_force: PositiveFloat = 8.0
    max_torque: PositiveFloat = 1.0
    grab_range: PositiveFloat = 0.6    # from the agent's centre to the object's surface
    lock_range: PositiveFloat = 0.6
    mount_speed: NonNegativeFloat = 0.0  # minimum uphill speed to drive onto a ramp


class Boxes(Strict):
    count: Count = Count(min=2, max=2)
    elongated: Count = Count(min=0, max=0)  # how many of them are elongated
    size: PositiveFloat = 0.5
    elongated_length: PositiveFloat = 1.0
    mass: PositiveFloat = 2.0


class Ramps(Strict):
    count: Count = Count(min=1, max=1)
    length: PositiveFloat = 0.9
    width: PositiveFloat = 0.5
    mass: PositiveFloat = 2.0
    lockable: bool = True


class Sensors(Strict):
    vision_angle_deg: Annotated[float, Field(gt=0, le=360)] = 135.0
    vision_range: PositiveFloat = 20.0
    lidar_rays: Annotated[int, Field(ge=0)] = 30
    lidar_range: PositiveFloat = 6.0


Region = Literal["anywhere", "room", "outside"]


class Spawn(Strict):
    """Where things appear at reset. `room` is the hiders' room (quadrant) or a random room."""
    hiders: Region = "room"
    seekers: Region = "outside"
    boxes: Region = "room"
    ramps: Region = "outside"


class Rewards(Strict):
    hidden: float = 1.0          # per main-phase step, to each hider when no hider is seen
    seen: float = -1.0           # per main-phase step, to each hider when any hider is seen
    out_of_bounds: float = -10.0 # per step spent outside the play area
    penalize_objects_out: bool = False  # every agent is also charged for each box / ramp outside


class Rules(Strict):
    prep_fraction: Fraction = 0.4
    lock_rule: Literal["all_lock_team_specific", "all_lock"] = "all_lock_team_specific"
    box_surfing: bool = False     # elevated agents may grab and ride boxes


class HideAndSeek(Strict):
    kind: Literal["hide_and_seek"] = "hide_and_seek"
    rewards: Rewards = Rewards()


Task = Annotated[HideAndSeek, Field(discriminator="kind")]


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
        return self

    @property
    def prep_steps(self) -> int:
        return int(round(self.rules.prep_fraction * self.horizon))
