"""The replay file: one episode per file, a compressed `.npz` holding a JSON `meta` entry and one
array per recorded quantity.

Frame arrays have one row per snapshot (reset, then every step: T + 1 rows); `actions` and
`rewards` have one row per step (T rows, row k led from frame k to frame k + 1). Stored precision
(everything else is exact):

    positions            int16 millimetres (|x| <= 32.767 m, clipped beyond)
    angles               int16, 2*pi / 65536 rad (~0.0001 rad), wrapped to [-pi, pi)
    velocities           float16 (3 significant digits)
    lidar                uint8, lidar_range / 255 (2.4 cm for a 6 m range)
    rewards              float32

In the file these integer arrays hold differences along time (frame 0 as is, wrapping in their
integer type), which deflate compresses far better; `load` restores them exactly.

A file written by a newer format version, a truncated or corrupted file, or arrays of the wrong
shape are an `InputError` naming the file.
"""
from __future__ import annotations

import json
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np

from arena.mechanics import ACTION_NVEC
from arena.snapshot import Snapshot, Static
from replays.files import atomic_output
from scenarios.errors import InputError

FORMAT_NAME = "emergent-arena-replay"
FORMAT_VERSION = 2   # 2 adds the optional per-frame task counters of OPTIONAL_FRAMES
TEAM_NAMES = ("hiders", "seekers")
KIND_NAMES = ("box", "ramp")
ACTION_DIMS = 5
MAX_DT = 60.0
# (low, high) of each number in a replay's static meta; the viewer draws with them, and a NaN angle
# or a huge size hangs pygame's polygon drawing.
STATIC_RANGES = {"size": (1e-3, 1e3), "margin": (0, 1e3), "wall_half_thickness": (0, 10), "agent_radius": (1e-3, 10),
                 "vision_half_angle": (0, np.pi), "lidar_range": (0, 1e3), "vision_range": (0, 1e4),
                 "walls": (-1e3, 1e3), "obj_half": (1e-3, 1e3), "lidar_angles": (-10, 10), "sites": (-1e3, 1e3),
                 "cylinders": (-1e3, 1e3)}


@dataclass(frozen=True)
class Quantised:
    """Rounds to a multiple of `step(static)` stored as the integer `dtype`."""
    dtype: type
    step: Callable[[Static], float]
    decoded: type = np.float64
    wrap_angle: bool = False

    def encode(self, x: np.ndarray, static: Static) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        if self.wrap_angle:
            x = (x + np.pi) % (2 * np.pi) - np.pi
        info = np.iinfo(self.dtype)
        q = np.round(x / self.step(static))
        if self.wrap_angle:
            return ((q.astype(np.int64) - info.min) % (info.max - info.min + 1) + info.min).astype(self.dtype)
        return np.clip(q, info.min, info.max).astype(self.dtype)

    def decode(self, q: np.ndarray, static: Static) -> np.ndarray:
        return (q.astype(np.float64) * self.step(static)).astype(self.decoded)


@dataclass(frozen=True)
class Cast:
    """Stored as `dtype` (exact for bools and small integers; float16 rounds, saturating at its range)."""
    dtype: type
    decoded: type

    def encode(self, x: np.ndarray, static: Static) -> np.ndarray:
        x = np.asarray(x)
        if np.issubdtype(self.dtype, np.floating):
            limit = np.finfo(self.dtype).max
            x = np.clip(x, -limit, limit)
        return x.astype(self.dtype)

    def decode(self, q: np.ndarray, static: Static) -> np.ndarray:
        return q.astype(self.decoded)


MILLIMETRES = Quantised(np.int16, lambda static: 1e-3)
ANGLE = Quantised(np.int16, lambda static: 2 * np.pi / 65536, wrap_angle=True)
LIDAR = Quantised(np.uint8, lambda static: static.lidar_range / 255, decoded=np.float32)
VELOCITY = Cast(np.float16, np.float64)

FRAME_CODECS = {
    "agent_pos": MILLIMETRES,
    "agent_vel": VELOCITY,
    "agent_angle": ANGLE,
    "agent_angvel": VELOCITY,
    "agent_elevated": Cast(np.bool_, np.bool_),
    "agent_grab": Cast(np.int16, np.int16),
    "obj_pos": MILLIMETRES,
    "obj_vel": VELOCITY,
    "obj_angle": ANGLE,
    "obj_angvel": VELOCITY,
    "obj_lock": Cast(np.int8, np.int8),
    "sees_agent": Cast(np.bool_, np.bool_),
    "sees_obj": Cast(np.bool_, np.bool_),
    "lidar": LIDAR,
}
# Per-frame counters a task may keep, stored as they are (absent from older files and other tasks).
OPTIONAL_FRAMES = {"seeker_crossings": np.int16}


@dataclass(frozen=True, eq=False)
class Replay:
    """One recorded episode as stored: `frames` holds the encoded arrays of FRAME_CODECS plus `t`."""
    meta: dict
    static: Static
    frames: dict[str, np.ndarray]
    actions: np.ndarray    # (T, A, 5) uint8
    rewards: np.ndarray    # (T, A) float32

    @classmethod
    def from_episode(cls, snapshots: list[Snapshot], actions: np.ndarray, rewards: np.ndarray,
                     agent_names: list[str], meta: dict, counters: dict | None = None) -> Replay:
        static = snapshots[0].static
        frames = {"t": np.array([s.t for s in snapshots], dtype=np.int32)}
        frames.update({name: np.asarray(v, dtype=OPTIONAL_FRAMES[name]) for name, v in (counters or {}).items()})
        for name, codec in FRAME_CODECS.items():
            frames[name] = codec.encode(np.stack([getattr(s, name) for s in snapshots]), static)
        full_meta = {**meta, "format": FORMAT_NAME, "format_version": FORMAT_VERSION,
                     **_static_to_meta(static, agent_names)}
        return cls(json.loads(json.dumps(full_meta, default=str)), static, frames,
                   np.asarray(actions, dtype=np.uint8), np.asarray(rewards, dtype=np.float32))

    @property
    def num_frames(self) -> int:
        return len(self.frames["t"])

    @property
    def agent_names(self) -> list[str]:
        return [a["name"] for a in self.meta["entities"]["agents"]]

    def snapshot(self, k: int) -> Snapshot:
        fields = {name: codec.decode(self.frames[name][k], self.static) for name, codec in FRAME_CODECS.items()}
        return Snapshot(static=self.static, t=int(self.frames["t"][k]), **fields)

    def reward(self, k: int) -> np.ndarray:
        """The rewards received on arriving at frame k (zeros at the reset frame)."""
        return self.rewards[k - 1] if k > 0 else np.zeros(self.rewards.shape[1], np.float32)

    def arrays(self) -> dict[str, np.ndarray]:
        return {**{f"frame/{k}": v for k, v in self.frames.items()},
                "actions": self.actions, "rewards": self.rewards}


ENTITY_FIELDS = ("agent_team", "obj_kind", "obj_half")


def _static_to_meta(static: Static, agent_names: list[str]) -> dict:
    """The entity table (names, teams, object kinds and sizes), and every other `Static` field as
    JSON numbers or nested lists (exact: JSON keeps a float64's shortest repr)."""
    agents = [{"name": n, "team": TEAM_NAMES[int(t)]} for n, t in zip(agent_names, static.agent_team)]
    objects = [{"kind": KIND_NAMES[int(k)], "half": np.asarray(h, dtype=np.float64).tolist()}
               for k, h in zip(static.obj_kind, static.obj_half)]
    geometry = {f.name: np.asarray(getattr(static, f.name)).tolist()
                for f in fields(Static) if f.name not in ENTITY_FIELDS}
    return {"entities": {"agents": agents, "objects": objects}, "static": geometry}


def _static_from_meta(meta: dict) -> Static:
    entities = meta["entities"]
    geometry = {k: np.array(v, dtype=np.float64) if isinstance(v, list) else v for k, v in meta["static"].items()}
    return Static(
        **geometry,
        agent_team=np.array([TEAM_NAMES.index(a["team"]) for a in entities["agents"]], dtype=np.int8),
        obj_kind=np.array([KIND_NAMES.index(o["kind"]) for o in entities["objects"]], dtype=np.int8),
        obj_half=np.array([o["half"] for o in entities["objects"]], dtype=np.float64).reshape(-1, 2),
    )


DIFFERENCED = [f"frame/{name}" for name, codec in FRAME_CODECS.items() if isinstance(codec, Quantised)]


def save(replay: Replay, path: str | Path) -> None:
    meta = np.frombuffer(json.dumps(replay.meta).encode("utf-8"), dtype=np.uint8)
    arrays = replay.arrays()
    for name in DIFFERENCED:
        arrays[name] = np.diff(arrays[name], axis=0, prepend=np.zeros_like(arrays[name][:1]))
    with atomic_output(path) as tmp:
        with open(tmp, "wb") as f:
            np.savez_compressed(f, meta=meta, **arrays)


def load(path: str | Path) -> Replay:
    try:
        with np.load(path, allow_pickle=False) as npz:
            meta = json.loads(npz["meta"].tobytes().decode("utf-8"))
            _check_version(meta)
            arrays = {name: npz[name] for name in npz.files if name != "meta"}
        static = _static_from_meta(meta)
    except InputError as e:
        raise InputError(f"{path}: {e}") from None
    except (OSError, EOFError, ValueError, KeyError, TypeError, IndexError,
            zipfile.BadZipFile, zlib.error) as e:
        raise InputError(f"{path}: not a readable replay file ({type(e).__name__}: {e})") from None
    frames = {k.removeprefix("frame/"): v for k, v in arrays.items() if k.startswith("frame/")}
    replay = Replay(meta, static, frames, arrays.get("actions"), arrays.get("rewards"))
    problem = _shape_problem(replay) or _static_problem(static) or _value_problem(replay)
    if problem:
        raise InputError(f"{path}: {problem}")
    restored = {name: np.cumsum(arrays[f"frame/{name}"], axis=0, dtype=array.dtype) if f"frame/{name}" in DIFFERENCED
                else array for name, array in frames.items()}
    return Replay(meta, static, restored, replay.actions, replay.rewards)


def _check_version(meta: dict) -> None:
    if not isinstance(meta, dict) or meta.get("format") != FORMAT_NAME:
        raise InputError("not an emergent-arena replay (no format marker in its meta)")
    version = meta.get("format_version")
    if type(version) is not int or version < 1:
        raise InputError(f"meta 'format_version' must be a whole number of at least 1, got {version!r}")
    if version > FORMAT_VERSION:
        raise InputError(f"written in replay format version {version}; this emergent-arena reads "
                         f"versions up to {FORMAT_VERSION}, upgrade it to watch this file")


def _shape_problem(replay: Replay) -> str | None:
    s = replay.static
    a, o, r = len(s.agent_team), len(s.obj_kind), len(s.lidar_angles)
    n = len(replay.frames.get("t", ()))
    if n == 0:
        return "the episode has no frames"
    dt = replay.meta.get("dt")
    if type(dt) not in (int, float) or not 0 < dt <= MAX_DT:
        return f"meta 'dt' must be a number of seconds in (0, {MAX_DT}], got {dt!r}"
    per_frame = {"t": (), "agent_pos": (a, 2), "agent_vel": (a, 2), "agent_angle": (a,),
                 "agent_angvel": (a,), "agent_elevated": (a,), "agent_grab": (a,),
                 "obj_pos": (o, 2), "obj_vel": (o, 2), "obj_angle": (o,), "obj_angvel": (o,),
                 "obj_lock": (o,), "sees_agent": (a, a), "sees_obj": (a, o), "lidar": (a, r)}
    expected = {f"frame/{name}": ((n, *shape), FRAME_CODECS[name].dtype if name != "t" else np.int32)
                for name, shape in per_frame.items()}
    expected.update({f"frame/{name}": ((n,), dtype) for name, dtype in OPTIONAL_FRAMES.items()
                     if name in replay.frames})
    expected["actions"] = ((n - 1, a, ACTION_DIMS), np.uint8)
    expected["rewards"] = ((n - 1, a), np.float32)
    arrays = replay.arrays()
    for name, (shape, dtype) in expected.items():
        array = arrays.get(name)
        if array is None:
            return f"array '{name}' is missing"
        if array.shape != shape or array.dtype != dtype:
            return f"array '{name}' is {array.dtype}{list(array.shape)}, expected {np.dtype(dtype)}{list(shape)}"
    return None


def _static_problem(static: Static) -> str | None:
    for name, (low, high) in STATIC_RANGES.items():
        value = np.asarray(getattr(static, name))
        if value.dtype.kind not in "iuf" or not (np.isfinite(value) & (value >= low) & (value <= high)).all():
            return f"meta static '{name}' must hold finite numbers in [{low:g}, {high:g}], got {value.tolist()!r:.80}"
    if type(static.horizon) is not int or type(static.prep_steps) is not int \
            or not 0 <= static.prep_steps <= static.horizon:
        return f"meta static 'horizon' and 'prep_steps' must be whole numbers, 0 <= prep_steps <= horizon, got " \
               f"{static.horizon!r} and {static.prep_steps!r}"
    return None


def _value_problem(replay: Replay) -> str | None:
    """Indices that must point at an entity, and numbers that must be finite."""
    objects, frames = len(replay.static.obj_kind), replay.frames
    grabs, locks = frames["agent_grab"], frames["obj_lock"]
    if grabs.size and not ((grabs >= -1) & (grabs < objects)).all():
        return f"array 'frame/agent_grab' holds {grabs[(grabs < -1) | (grabs >= objects)][0]}, not an object index " \
               f"(-1 or 0 to {objects - 1})"
    if locks.size and not ((locks >= -1) & (locks < len(TEAM_NAMES))).all():
        return f"array 'frame/obj_lock' holds {locks[(locks < -1) | (locks >= len(TEAM_NAMES))][0]}, not a team " \
               f"(-1, 0 or 1)"
    if replay.actions.size and (replay.actions.max(axis=(0, 1)) >= ACTION_NVEC).any():
        return f"array 'actions' holds values outside MultiDiscrete({ACTION_NVEC.tolist()})"
    for name in ("agent_vel", "agent_angvel", "obj_vel", "obj_angvel"):
        if not np.isfinite(frames[name]).all():
            return f"array 'frame/{name}' holds NaN or infinite numbers"
    if not np.isfinite(replay.rewards).all():
        return "array 'rewards' holds NaN or infinite numbers"
    return None
