"""Hyperparameters: one flat dataclass, per-algorithm defaults, YAML in and out.

Precedence when a run starts: the dataclass defaults < `ALGO_DEFAULTS[algo]` < a YAML file <
command-line flags. The resolved config is saved as `config.yaml` in the run directory. Each field
carries a one-line `help` and the `Range` its values must lie in (enforced for files and flags alike)."""
from __future__ import annotations

import dataclasses
import difflib
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import yaml

from scenarios.errors import InputError
from scenarios.strict_yaml import load_yaml

ALGOS = ("mappo", "ippo", "ppo", "trpo", "tnpg")
PPO_FAMILY = ("mappo", "ippo", "ppo")  # trained by ppo.PPO
MAX_SEED = 2**32 - 1


class Range(NamedTuple):
    low: float
    high: float
    low_open: bool = False  # the low end itself is excluded

    def __contains__(self, value) -> bool:
        return (self.low < value if self.low_open else self.low <= value) and value <= self.high

    def __str__(self) -> str:
        shown = [f"{v:_}" if isinstance(v, int) else f"{v:g}" for v in self]
        return f"{'(' if self.low_open else '['}{shown[0]}, {shown[1]}]"


def _opt(default, help: str, low=None, high=None, *, low_open: bool = False):
    """A field with its help line and, for numbers (or each number of a list), its range."""
    meta = {"help": help}
    if low is not None:
        meta["range"] = Range(low, high, low_open)
    if isinstance(default, (list, dict)):
        return field(default_factory=lambda: type(default)(default), metadata=meta)
    return field(default=default, metadata=meta)


BIG = 10**12


@dataclass
class Config:
    target: str = _opt("hide_and_seek_quadrant", "scenario name or YAML path, gym:<id>, or pz:<module>")
    algo: str = _opt("mappo", "learning algorithm")
    env_kwargs: dict = _opt({}, "options passed to the env constructor, e.g. '{horizon: 120}'")
    # A curriculum of env options, {key: [start, ..., end]} (agents/curriculum.py): in `curriculum_stages`, over
    # the first `curriculum_until` of the steps, or stage by stage as a logged metric, the gate,
    # averages at least `curriculum_gate_min` over the last `curriculum_gate_updates` updates; with
    # `curriculum_floor` a gated stage never lags the ungated one by more than `curriculum_floor_lag` stages,
    # instead of jumping to the end at `curriculum_until`.
    curriculum: dict = _opt({}, "env options moved stage by stage, {key: [start, ..., end]}")
    curriculum_stages: int = _opt(20, "number of curriculum stages", 1, 10_000)
    curriculum_until: float = _opt(0.5, "fraction of the steps by which an ungated curriculum ends", 0, 1, low_open=True)
    curriculum_gate: str = _opt("", "logged metric that must hold before the next stage, e.g. episode/fort_prep")
    curriculum_gate_min: float = _opt(0.5, "the gate metric's mean that passes a stage", -1e9, 1e9)
    curriculum_gate_updates: int = _opt(10, "updates the gate metric is averaged over", 1, 10_000)
    curriculum_floor: bool = _opt(False, "a gated stage never lags the ungated schedule by more than the lag")
    curriculum_floor_lag: int = _opt(0, "stages a gated curriculum may lag the ungated one (with --curriculum-floor)",
                                     0, 10_000)
    steps: int = _opt(1_000_000, "total env steps (one step of one env, all its agents)", 1, BIG)
    envs: int = _opt(8, "parallel envs", 1, 4096)
    workers: int = _opt(0, "env worker processes; 0 = one per core", 0, 1024)
    ray: str = _opt("", "collect on Ray actors (docs/ray.md): local (start Ray here), auto (the running cluster), "
                        "host:port or ray://host:port; empty = worker processes on this machine")
    ray_workers: int = _opt(0, "Ray rollout workers of 1 CPU each; 0 = one per CPU of the cluster (at most envs)",
                            0, 100_000)
    envs_per_worker: int = _opt(0, "envs per Ray worker: sets envs to ray_workers x envs_per_worker; 0 = envs "
                                   "split evenly", 0, 4096)
    seed: int = _opt(0, "seed of the envs and of the networks", 0, MAX_SEED)
    device: str = _opt("auto", "torch device of the learner")
    threads: int = _opt(1, "torch CPU threads of the learner (env workers take the other cores)", 1, 1024)
    update_threads: int = _opt(1, "CPU threads of the gradient update, while the env workers wait (with 2 or more "
                                      "the teams update at once, one thread each)", 1, 1024)
    # bfloat16 matrix products in the PPO / MAPPO update (autocast; weights, losses and rollouts stay
    # float32): much faster on CPUs with AMX or AVX512-BF16 and on recent GPUs
    bf16: bool = _opt(False, "bfloat16 matrix products in the PPO / MAPPO update (weights stay float32)")
    # collect in two groups of envs: the workers step one while the policies act for the other (the
    # rollouts are those of plain collection; only the waiting overlaps)
    overlap: bool = _opt(False, "collect in two groups of envs, stepping one while the policies act for the other")
    rollout_len: int = _opt(256, "steps per env per update", 1, 1_000_000)
    gamma: float = _opt(0.99, "discount factor", 0, 1)
    gae_lambda: float = _opt(0.95, "GAE lambda", 0, 1)
    encoder: str = _opt("auto", "auto (entity attention for Dict observations), mlp (flatten) or entity")
    hidden: list = _opt([64, 64], "hidden layer widths", 1, 65_536)
    activation: str = _opt("tanh", "activation of the hidden layers")
    layer_norm: bool = _opt(False, "LayerNorm on MLP inputs")
    recurrent: bool = _opt(False, "GRU after the encoder, trained on chunks of --chunk-len steps")
    # one actor network per agent rank in a team instead of one shared by teammates (the critic stays shared)
    actor_per_rank: bool = _opt(False, "one actor per agent rank in a team instead of one shared by teammates")
    # the actor's initial choice probabilities for some discrete action components, {index: [p0, p1,
    # ...]} (uniform otherwise), e.g. {4: [0.95, 0.05]}: rarely vote lock until learning says otherwise
    action_init: dict = _opt({}, "initial choice probabilities of action components, e.g. '{4: [0.95, 0.05]}'")
    chunk_len: int = _opt(10, "steps per recurrent training chunk", 1, 1_000_000)
    critic: str = _opt("obs", "obs (decentralised) or state (centralised: env.state() + agent id)")
    norm_obs: bool = _opt(True, "running mean/std of Box observations")
    norm_adv: bool = _opt(True, "normalise advantages")
    # normalise advantages per minibatch (PPO's default, as SB3 and CleanRL) instead of over the whole
    # batch (MAPPO's, as Yu et al.)
    norm_adv_minibatch: bool = _opt(False, "normalise advantages per minibatch (SB3, CleanRL) instead of per batch")
    norm_value: bool = _opt(False, "running mean/std of value targets (MAPPO's ValueNorm)")
    # gradient updates (PPO family; TRPO/TNPG use lr, epochs, minibatches for the critic only)
    lr: float = _opt(3e-4, "Adam learning rate (TRPO/TNPG: the critic's)", 0, 1, low_open=True)
    anneal_lr: bool = _opt(False, "decay the learning rate linearly to 0")
    epochs: int = _opt(10, "passes over each batch", 1, 10_000)
    minibatches: int = _opt(32, "minibatches per epoch", 1, 1_000_000)
    clip_coef: float = _opt(0.2, "PPO ratio clip", 0, 1, low_open=True)
    value_clip: float = _opt(0.0, "value clipping range; 0 = none", 0, 1e6)
    value_loss: str = _opt("mse", "value loss")
    huber_delta: float = _opt(10.0, "Huber loss threshold", 0, 1e6, low_open=True)
    vf_coef: float = _opt(0.5, "value loss coefficient", 0, 1e3)
    ent_coef: float = _opt(0.0, "entropy bonus coefficient", 0, 10)
    # PPO family: {team: H} keeps that team's policy entropy at least H while a curriculum is short of its
    # last stage: after each update its ent_coef is multiplied by exp(entropy_target_rate × (H - entropy)),
    # never below ent_coef; {team: {k: H_k}} does so for action component k alone (agents/entropy.py)
    entropy_target: dict = _opt({}, "entropy floor per team (nats) while a curriculum runs, e.g. '{hider: 2.0}'")
    entropy_target_rate: float = _opt(0.05, "how fast ent_coef rises below the entropy floor", 0, 100)
    max_grad_norm: float = _opt(0.5, "gradient norm clip", 0, 1e6, low_open=True)
    target_kl: float = _opt(0.0, "stop the epochs early above this KL; 0 = never", 0, 10)
    max_kl: float = _opt(0.01, "TRPO trust region (delta)", 0, 10, low_open=True)
    cg_iters: int = _opt(10, "conjugate gradient iterations", 1, 1000)
    cg_damping: float = _opt(0.1, "Fisher damping", 0, 1e3)
    backtrack_coef: float = _opt(0.8, "line search step shrink", 0, 1, low_open=True)
    backtrack_iters: int = _opt(10, "line search steps", 0, 1000)
    npg_alpha: float = _opt(0.1, "TNPG step size: alpha / sqrt(g^T F^-1 g)", 0, 1e3, low_open=True)
    opponent_pool: int = _opt(0, "past checkpoints kept per team; 0 = always play the current opponent", 0, 100_000)
    pool_every: int = _opt(10, "updates between opponent snapshots", 1, 1_000_000)
    pool_prob: float = _opt(0.2, "fraction of envs where one team faces a past opponent", 0, 1)
    checkpoint_every: int = _opt(10, "updates between checkpoints", 1, 1_000_000)
    checkpoint_minutes: float = _opt(5.0, "also checkpoint after this many minutes, and at the first update; 0 = by updates only", 0, 1e6)
    # start a new run from the policies of another run (or of an exported checkpoint), e.g. to
    # fine-tune the shipped teams on a variant of their scenario; step, optimiser and curriculum start afresh
    init_from: str = _opt("", "start from the policies of another run or exported checkpoint (fresh step and optimiser)")
    record_every: int = _opt(0, "updates between recorded episodes; 0 = never", 0, 1_000_000)


GROUPS = {
    "what to train": ("target", "algo", "env_kwargs", "steps", "seed", "init_from"),
    "collection": ("envs", "workers", "rollout_len", "overlap", "device", "threads", "update_threads", "bf16", "ray",
                   "ray_workers", "envs_per_worker"),
    "network": ("encoder", "hidden", "activation", "layer_norm", "recurrent", "chunk_len", "actor_per_rank",
                "action_init", "critic", "norm_obs", "norm_value"),
    "returns and advantages": ("gamma", "gae_lambda", "norm_adv", "norm_adv_minibatch"),
    "PPO update (MAPPO, IPPO, PPO; TRPO/TNPG train their critic with lr, epochs, minibatches)": (
        "lr", "anneal_lr", "epochs", "minibatches", "clip_coef", "value_clip", "value_loss", "huber_delta",
        "vf_coef", "ent_coef", "entropy_target", "entropy_target_rate", "max_grad_norm", "target_kl"),
    "TRPO / TNPG": ("max_kl", "cg_iters", "cg_damping", "backtrack_coef", "backtrack_iters", "npg_alpha"),
    "curriculum": ("curriculum", "curriculum_stages", "curriculum_until", "curriculum_gate", "curriculum_gate_min",
                   "curriculum_gate_updates", "curriculum_floor", "curriculum_floor_lag"),
    "self-play": ("opponent_pool", "pool_every", "pool_prob"),
    "logging and checkpoints": ("checkpoint_every", "checkpoint_minutes", "record_every"),
}


_PPO = dict(algo="ppo", rollout_len=256, lr=3e-4, epochs=10, minibatches=32, norm_adv_minibatch=True)
_TRPO = dict(rollout_len=256, lr=1e-3, epochs=10, minibatches=16, cg_iters=15, max_kl=0.01)
_MAPPO = dict(rollout_len=128, envs=16, lr=7e-4, epochs=5, minibatches=2, critic="state", norm_obs=False,
              norm_value=True, layer_norm=True, activation="relu", value_loss="huber", value_clip=0.2,
              ent_coef=0.01, vf_coef=1.0, max_grad_norm=10.0)
ALGO_DEFAULTS = {
    "ppo": _PPO,
    "trpo": {**_TRPO, "algo": "trpo"},
    "tnpg": {**_TRPO, "algo": "tnpg"},
    "mappo": {**_MAPPO, "algo": "mappo"},
    "ippo": {**_MAPPO, "algo": "ippo", "critic": "obs"},
}
CHOICES = {"algo": ALGOS, "device": ("auto", "cpu", "cuda"), "encoder": ("auto", "mlp", "entity"),
           "activation": ("tanh", "relu"), "critic": ("obs", "state"), "value_loss": ("mse", "huber")}
FIELDS = {f.name: f for f in dataclasses.fields(Config)}


def default_of(key: str):
    f = FIELDS[key]
    return f.default_factory() if f.default is dataclasses.MISSING else f.default


def default_text(key: str) -> str:
    """The default for the help line: the dataclass's, and each algorithm's own where it differs."""
    base = default_of(key)
    by_value: dict[str, list[str]] = {}
    for algo in ALGOS:
        value = ALGO_DEFAULTS[algo].get(key, base)
        if value != base:
            by_value.setdefault(f"{value!r:.40}" if not isinstance(value, float) else f"{value:g}", []).append(algo)
    shown = f"{base:g}" if isinstance(base, float) else repr(base) if isinstance(base, str) else str(base)
    extra = "; ".join(f"{'/'.join(algos)}: {value}" for value, algos in by_value.items())
    return f"default {shown}" + (f" ({extra})" if extra else "")


def unknown_key(key: str, known, what: str) -> str:
    """'unknown <what> 'lr_rate' (did you mean 'lr'?)', with the nearest known name when one is close."""
    close = difflib.get_close_matches(str(key), list(known), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else f" (known: {', '.join(known)})"
    return f"unknown {what} {key!r}{hint}"


def _name(key: str, where: str) -> str:
    return f"--{key.replace('_', '-')}" if where == "flags" else f"{where}: {key}"


def _check(key: str, value, where: str):
    if key not in FIELDS:
        raise InputError(f"{where}: {unknown_key(key, FIELDS, 'hyperparameter')}")
    kind = type(default_of(key))
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise InputError(f"{_name(key, where)} must be {kind.__name__}, got {value!r}")
    if key in CHOICES and value not in CHOICES[key]:
        raise InputError(f"{_name(key, where)} must be one of {', '.join(CHOICES[key])}, got {value!r}")
    bounds = FIELDS[key].metadata.get("range")
    numbers = value if kind is list else [value] if kind in (int, float) else []
    if kind is list and not (1 <= len(value) <= 16 and all(type(v) is int for v in value)):
        raise InputError(f"{_name(key, where)} must be 1 to 16 whole numbers, got {value!r}")
    for number in numbers:
        if not math.isfinite(number) or number not in bounds:
            raise InputError(f"{_name(key, where)} must be in {bounds}, got {number!r}")
    return value


def read_yaml(path: str | Path) -> dict:
    try:
        data = load_yaml(Path(path).read_text(), str(path)) or {}
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"{path}: cannot read hyperparameters: {e}") from None
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected a mapping of hyperparameters")
    return data


def _finite_number(value) -> bool:
    return type(value) in (int, float) and math.isfinite(value)


def resolve(algo: str, *layers: tuple[str, dict]) -> Config:
    """Defaults of `algo`, then each (source name, overrides) layer in order; validates every key.
    `env_kwargs` merge key by key: a layer that sets one env option keeps the others."""
    values = dict(ALGO_DEFAULTS[_check("algo", algo, "algo")])
    origin: dict[str, str] = {}  # which layer set each key, named in errors below
    for where, layer in layers:
        checked = {k: _check(k, v, where) for k, v in layer.items() if v is not None}
        if "env_kwargs" in checked:
            checked["env_kwargs"] = {**values.get("env_kwargs", {}), **checked["env_kwargs"]}
        values.update(checked)
        origin.update(dict.fromkeys(checked, where))
    cfg = Config(**values)
    if cfg.envs_per_worker:
        if not (cfg.ray and cfg.ray_workers):
            raise InputError("envs_per_worker needs ray and ray_workers (--ray [ADDRESS] --ray-workers N)")
        cfg.envs = cfg.ray_workers * cfg.envs_per_worker
    for key, points in cfg.curriculum.items():
        if not (isinstance(points, list) and len(points) >= 2 and all(map(_finite_number, points))):
            raise InputError(f"curriculum: {key} must be a list of at least two finite numbers [start, ..., end], "
                             f"got {points!r}")
    for key, probs in cfg.action_init.items():
        if not (isinstance(key, int) and key >= 0 and isinstance(probs, list) and len(probs) >= 2
                and all(_finite_number(p) and p > 0 for p in probs) and abs(sum(probs) - 1) < 1e-6):
            raise InputError(f"action_init: {key!r}: {probs!r} must map an action component index to its "
                             "choices' probabilities, all above 0 and summing to 1")
    for team, floor in cfg.entropy_target.items():
        parts = floor if isinstance(floor, dict) else {0: floor}
        if not parts or not all(type(k) is int and k >= 0 and _finite_number(h) and h > 0 for k, h in parts.items()):
            raise InputError(f"entropy_target: {team!r}: {floor!r} must be a positive entropy (nats) for the "
                             "whole policy, or a map of action component indices to positive entropies")
    if cfg.entropy_target and (cfg.algo not in PPO_FAMILY or cfg.ent_coef <= 0):
        raise InputError(f"entropy_target (from {origin['entropy_target']}) raises ent_coef, so it needs a PPO-family "
                         f"algo (mappo, ippo, ppo) and ent_coef above 0 (got algo {cfg.algo}, ent_coef {cfg.ent_coef})")
    if cfg.recurrent and cfg.rollout_len % cfg.chunk_len:
        raise InputError(f"rollout_len ({cfg.rollout_len}) must be a multiple of chunk_len ({cfg.chunk_len})")
    return cfg


def save(cfg: Config, path: Path):
    from agents.runfiles import write_atomic

    write_atomic(path, yaml.safe_dump(dataclasses.asdict(cfg), sort_keys=False))


def load(path: Path) -> Config:
    data = read_yaml(path)
    return resolve(data.get("algo", "mappo"), (str(path), data))
