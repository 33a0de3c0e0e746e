"""Hyperparameters: one flat dataclass, per-algorithm defaults, YAML in and out.

Precedence when a run starts: the dataclass defaults < `ALGO_DEFAULTS[algo]` < a YAML file <
command-line flags. The resolved config is saved as `config.yaml` in the run directory."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from scenarios.errors import InputError

ALGOS = ("mappo", "ippo", "ppo", "trpo", "tnpg")
PPO_FAMILY = ("mappo", "ippo", "ppo")  # trained by ppo.PPO


@dataclass
class Config:
    # what to train
    target: str = "hide_and_seek_quadrant"  # scenario name or YAML path, gym:<id>, pz:<module>
    algo: str = "mappo"
    env_kwargs: dict = field(default_factory=dict)  # passed to the env constructor
    # A curriculum of env options, {key: [start, ..., end]} (agents/curriculum.py): in `curriculum_stages`, over
    # the first `curriculum_until` of the steps, or stage by stage as a logged metric, the gate,
    # averages at least `curriculum_gate_min` over the last `curriculum_gate_updates` updates; with
    # `curriculum_floor` a gated stage never lags the ungated one by more than `curriculum_floor_lag` stages,
    # instead of jumping to the end at `curriculum_until`.
    curriculum: dict = field(default_factory=dict)
    curriculum_stages: int = 20
    curriculum_until: float = 0.5
    curriculum_gate: str = ""
    curriculum_gate_min: float = 0.5
    curriculum_gate_updates: int = 10
    curriculum_floor: bool = False
    curriculum_floor_lag: int = 0
    steps: int = 1_000_000  # total env steps (one step of one env, all its agents)
    envs: int = 8
    workers: int = 0  # env worker processes; 0 = one per core
    seed: int = 0
    device: str = "auto"  # auto | cpu | cuda
    threads: int = 1  # torch CPU threads of the learner (env workers take the other cores)
    update_threads: int = 1  # CPU threads of the gradient update (teams update at once, one thread each), while the env workers wait
    # bfloat16 matrix products in the PPO / MAPPO update (autocast; weights, losses and rollouts stay
    # float32): much faster on CPUs with AMX or AVX512-BF16 and on recent GPUs
    bf16: bool = False
    # collect in two groups of envs: the workers step one while the policies act for the other (the
    # rollouts are those of plain collection; only the waiting overlaps)
    overlap: bool = False
    # rollouts and returns
    rollout_len: int = 256  # steps per env per update
    gamma: float = 0.99
    gae_lambda: float = 0.95
    # networks
    encoder: str = "auto"  # auto (entity attention for Dict observations) | mlp (flatten) | entity
    hidden: list = field(default_factory=lambda: [64, 64])
    activation: str = "tanh"  # tanh | relu
    layer_norm: bool = False  # LayerNorm on MLP inputs
    recurrent: bool = False  # GRU after the encoder, trained on chunks of `chunk_len` steps
    # one actor network per agent rank in a team instead of one shared by teammates (the critic stays shared)
    actor_per_rank: bool = False
    # the actor's initial choice probabilities for some discrete action components, {index: [p0, p1,
    # ...]} (uniform otherwise), e.g. {4: [0.95, 0.05]}: rarely vote lock until learning says otherwise
    action_init: dict = field(default_factory=dict)
    chunk_len: int = 10
    critic: str = "obs"  # obs (decentralised) | state (centralised: env.state() + agent id)
    # normalisation
    norm_obs: bool = True  # running mean/std of Box inputs
    norm_adv: bool = True
    # normalise advantages per minibatch (PPO's default, as SB3 and CleanRL) instead of over the whole
    # batch (MAPPO's, as Yu et al.)
    norm_adv_minibatch: bool = False
    norm_value: bool = False  # running mean/std of value targets (MAPPO's ValueNorm)
    # gradient updates (PPO family; TRPO/TNPG use lr, epochs, minibatches for the critic only)
    lr: float = 3e-4
    anneal_lr: bool = False
    epochs: int = 10
    minibatches: int = 32
    clip_coef: float = 0.2
    value_clip: float = 0.0  # 0 = no value clipping
    value_loss: str = "mse"  # mse | huber
    huber_delta: float = 10.0
    vf_coef: float = 0.5
    ent_coef: float = 0.0
    # PPO family: {team: H} keeps that team's policy entropy at least H while a curriculum is short of its
    # last stage: after each update its ent_coef is multiplied by exp(entropy_target_rate × (H - entropy)),
    # never below ent_coef; {team: {k: H_k}} does so for action component k alone (agents/entropy.py)
    entropy_target: dict = field(default_factory=dict)
    entropy_target_rate: float = 0.05
    max_grad_norm: float = 0.5
    target_kl: float = 0.0  # PPO: stop the epochs early above this KL; 0 = never
    # TRPO / TNPG
    max_kl: float = 0.01  # delta
    cg_iters: int = 10
    cg_damping: float = 0.1
    backtrack_coef: float = 0.8
    backtrack_iters: int = 10
    npg_alpha: float = 0.1  # TNPG step size: alpha / sqrt(g^T F^-1 g)
    # competitive self-play
    opponent_pool: int = 0  # past checkpoints kept per team; 0 = always play the current opponent
    pool_every: int = 10  # updates between snapshots
    pool_prob: float = 0.2  # fraction of envs where one team faces a past opponent
    # bookkeeping
    checkpoint_every: int = 10  # updates
    # start a new run from the policies of another run (or of an exported checkpoint), e.g. to
    # fine-tune the shipped teams on a variant of their scenario; step, optimiser and curriculum start afresh
    init_from: str = ""
    record_every: int = 0  # updates between recorded episodes; 0 = never


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


def _check(key: str, value, where: str):
    if key not in FIELDS:
        raise InputError(f"{where}: unknown hyperparameter {key!r} (known: {', '.join(FIELDS)})")
    default = FIELDS[key].default_factory() if FIELDS[key].default is dataclasses.MISSING else FIELDS[key].default
    kind = type(default)
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise InputError(f"{where}: {key} must be {kind.__name__}, got {value!r}")
    if key in CHOICES and value not in CHOICES[key]:
        raise InputError(f"{where}: {key} must be one of {', '.join(CHOICES[key])}, got {value!r}")
    if kind in (int, float) and key not in ("seed",) and value < 0:
        raise InputError(f"{where}: {key} must not be negative, got {value!r}")
    return value


def read_yaml(path: str | Path) -> dict:
    try:
        data = yaml.safe_load(Path(path).read_text()) or {}
    except (OSError, yaml.YAMLError) as e:
        raise InputError(f"{path}: cannot read hyperparameters: {e}") from e
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected a mapping of hyperparameters")
    return data


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
    at_least_one = ("envs", "threads", "update_threads", "rollout_len", "epochs", "minibatches", "chunk_len", "checkpoint_every",
                    "pool_every", "curriculum_gate_updates", "curriculum_stages")
    for key in at_least_one:
        if getattr(cfg, key) < 1:
            raise InputError(f"{key} must be at least 1")
    for key, points in cfg.curriculum.items():
        if not (isinstance(points, list) and len(points) >= 2 and all(isinstance(v, (int, float)) for v in points)):
            raise InputError(f"curriculum: {key} must be a list of at least two numbers [start, ..., end], "
                             f"got {points!r}")
    for key, probs in cfg.action_init.items():
        if not (isinstance(key, int) and key >= 0 and isinstance(probs, list) and len(probs) >= 2
                and all(isinstance(p, (int, float)) and p > 0 for p in probs) and abs(sum(probs) - 1) < 1e-6):
            raise InputError(f"action_init: {key!r}: {probs!r} must map an action component index to its "
                             "choices' probabilities, all above 0 and summing to 1")
    for team, floor in cfg.entropy_target.items():
        parts = floor if isinstance(floor, dict) else {0: floor}
        if not parts or not all(type(k) is int and k >= 0 and type(h) in (int, float) and h > 0 for k, h in parts.items()):
            raise InputError(f"entropy_target: {team!r}: {floor!r} must be a positive entropy (nats) for the "
                             "whole policy, or a map of action component indices to positive entropies")
    if cfg.entropy_target and (cfg.algo not in PPO_FAMILY or cfg.ent_coef <= 0):
        raise InputError(f"entropy_target (from {origin['entropy_target']}) raises ent_coef, so it needs a PPO-family "
                         f"algo (mappo, ippo, ppo) and ent_coef above 0 (got algo {cfg.algo}, ent_coef {cfg.ent_coef})")
    if not 0 < cfg.curriculum_until <= 1:
        raise InputError(f"curriculum_until must be in (0, 1], got {cfg.curriculum_until}")
    if cfg.recurrent and cfg.rollout_len % cfg.chunk_len:
        raise InputError(f"rollout_len ({cfg.rollout_len}) must be a multiple of chunk_len ({cfg.chunk_len})")
    return cfg


def save(cfg: Config, path: Path):
    path.write_text(yaml.safe_dump(dataclasses.asdict(cfg), sort_keys=False))


def load(path: Path) -> Config:
    data = read_yaml(path)
    return resolve(data.get("algo", "mappo"), (str(path), data))
