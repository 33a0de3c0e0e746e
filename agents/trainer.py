"""The training loop: collect a rollout from all envs, update every team, log, checkpoint.

    for each update:
        rollouts = collect(policies, envs, rollout_len)        # buffer.Collector
        for each team: algorithm.update(rollout.batch())      # ppo.PPO / trpo.TRPO / trpo.TNPG
        log metrics (TensorBoard, metrics.jsonl, progress bar); checkpoint every few updates

Hooks: `metric_hooks` are functions (episodes: list[dict]) -> dict called once per update with the
statistics of the episodes that ended in it; their results are logged with the other metrics.
`record_wrapper(env, path) -> env` (given by the replays package) wraps a fresh env that records the
episode it plays to `path`; when set, one episode is played and recorded every `record_every` updates."""
from __future__ import annotations

import dataclasses
import json
import os
import time
from collections import deque
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from agents import config as config_mod
from agents.buffer import Collector
from agents.curriculum import Curriculum
from agents.mappo import OpponentPool
from agents.policy import TeamPolicy
from agents.ppo import PPO
from agents.trpo import TNPG, TRPO
from agents.vec import InProcessVecEnv, make_vec_env
from scenarios.errors import InputError

ALGORITHMS = {"ppo": PPO, "mappo": PPO, "ippo": PPO, "trpo": TRPO, "tnpg": TNPG}
CHECKPOINT = "checkpoint.pt"


def resolve_device(name: str) -> torch.device:
    if name == "cuda" and not torch.cuda.is_available():
        raise InputError("--device cuda: no CUDA device is available")
    return torch.device("cuda" if name == "auto" and torch.cuda.is_available() else "cpu" if name == "auto" else name)


def open_envs(make_env, cfg, n_envs: int):
    return make_vec_env(make_env, n_envs, cfg.workers, flatten=cfg.encoder == "mlp", use_state=cfg.critic == "state")


def build_policies(spec, cfg, device) -> dict[str, TeamPolicy]:
    if cfg.encoder == "entity" and not all(hasattr(t.obs_space, "spaces") for t in spec.teams):
        raise InputError("--encoder entity needs Dict (entity) observations")
    return {t.name: TeamPolicy(t, spec.state_dim, cfg).to(device) for t in spec.teams}


def read_checkpoint(path: Path) -> dict:
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
        if not isinstance(state, dict) or "policies" not in state:
            raise ValueError("not a training checkpoint")
        return state
    except Exception as e:  # any failure to read is the same problem for the user
        raise InputError(f"{path}: corrupt or unreadable checkpoint ({type(e).__name__}: {e})") from e


def load_policies(policies: dict[str, TeamPolicy], state: dict, path: Path):
    try:
        for team, policy in policies.items():
            policy.load_state_dict(state["policies"][team])
    except (KeyError, RuntimeError) as e:
        raise InputError(f"{path}: checkpoint does not match this environment/config ({e})") from e


def play(vec, policies: dict[str, TeamPolicy], episodes: int, device, deterministic: bool, seed: int) -> list[dict]:
    """Play `episodes` episodes with fixed policies; returns their statistics (the first to finish)."""
    vec.reset(seed)
    collector = Collector(vec, policies, 1, device, deterministic=deterministic)
    done: list[dict] = []
    while len(done) < episodes:
        done += collector.collect(update_normalizers=False)
    return done[:episodes]


def summarize(episodes: list[dict]) -> dict:
    keys = sorted({k for e in episodes for k in e})
    return {k: float(np.mean([e[k] for e in episodes if k in e])) for k in keys}


class Trainer:
    def __init__(self, cfg, make_env, run_dir: str | Path, resume: bool = False, record_wrapper=None):
        self.cfg, self.make_env, self.run_dir = cfg, make_env, Path(run_dir)
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.metric_hooks: list = []
        self.record_wrapper = record_wrapper
        self.device = resolve_device(cfg.device)
        torch.set_num_threads(max(1, cfg.threads))
        torch.manual_seed(cfg.seed)
        self.generator = torch.Generator().manual_seed(cfg.seed)
        self.vec = open_envs(make_env, cfg, cfg.envs)
        try:
            self.policies = build_policies(self.vec.spec, cfg, self.device)
        except Exception:
            self.vec.close()
            raise
        self.algos = {team: ALGORITHMS[cfg.algo](p, cfg) for team, p in self.policies.items()}
        self.pool = OpponentPool(self.policies, cfg, cfg.envs) if cfg.opponent_pool and len(self.policies) > 1 else None
        self.collector = Collector(self.vec, self.policies, cfg.rollout_len, self.device)
        self.step = self.updates = 0
        self.recent = deque(maxlen=100)  # episode statistics for the progress bar
        self.curriculum = Curriculum(cfg) if cfg.curriculum else None
        if resume:
            self._load()
        else:
            config_mod.save(cfg, self.run_dir / "config.yaml")
        self._writer = None

    # -- checkpoints: everything needed to continue, written atomically
    def save(self):
        state = {"step": self.step, "updates": self.updates, "config": dataclasses.asdict(self.cfg),
                 "policies": {t: p.state_dict() for t, p in self.policies.items()},
                 "algos": {t: a.state_dict() for t, a in self.algos.items()},
                 "pool": self.pool.state_dict() if self.pool else None,
                 "curriculum": self.curriculum.state_dict() if self.curriculum else None,
                 "rng": {"torch": torch.get_rng_state(), "generator": self.generator.get_state()}}
        tmp = self.run_dir / f".{CHECKPOINT}.tmp"
        torch.save(state, tmp)
        os.replace(tmp, self.run_dir / CHECKPOINT)

    def _load(self):
        path = self.run_dir / CHECKPOINT
        if not path.exists():
            raise InputError(f"{self.run_dir}: no {CHECKPOINT} to resume from")
        state = read_checkpoint(path)
        load_policies(self.policies, state, path)
        try:
            for team, algo in self.algos.items():
                algo.load_state_dict(state["algos"][team])
            if self.pool and state.get("pool"):
                self.pool.load_state_dict(state["pool"])
            if self.curriculum and state.get("curriculum"):
                self.curriculum.load_state_dict(state["curriculum"])
            torch.set_rng_state(state["rng"]["torch"])
            self.generator.set_state(state["rng"]["generator"])
        except (KeyError, ValueError, RuntimeError) as e:
            raise InputError(f"{path}: checkpoint does not match this run ({e})") from e
        self.step, self.updates = int(state["step"]), int(state["updates"])
        metrics = self.run_dir / "metrics.jsonl"
        if metrics.exists():  # drop what was logged after the checkpoint
            lines = [line for line in metrics.read_text().splitlines() if json.loads(line)["step"] <= self.step]
            metrics.write_text("".join(line + "\n" for line in lines))

    @property
    def writer(self):
        if self._writer is None:
            from torch.utils.tensorboard import SummaryWriter

            self._writer = SummaryWriter(str(self.run_dir / "tb"), purge_step=self.step or None)
        return self._writer

    def train(self) -> dict:
        cfg = self.cfg
        per_update = cfg.rollout_len * cfg.envs
        if self.curriculum:
            self.curriculum.advance(self.step / cfg.steps, {})
            self.vec.set_reset_options({"overrides": self.curriculum.values()})
        self.vec.reset(cfg.seed + self.updates * cfg.envs)
        try:
            with tqdm(total=cfg.steps, initial=self.step, unit="step", dynamic_ncols=True, disable=None) as bar:
                while self.step < cfg.steps:
                    start = time.perf_counter()
                    if self.pool:
                        self.collector.set_opponents(self.pool.assign(self.generator))
                    episodes = self.collector.collect()
                    progress = self.step / cfg.steps
                    losses = {team: algo.update(self.collector.rollouts[team].batch(cfg.gamma, cfg.gae_lambda), progress)
                              for team, algo in self.algos.items()}
                    self.step += per_update
                    self.updates += 1
                    if self.pool and self.updates % cfg.pool_every == 0:
                        self.pool.add(self.policies)
                    metrics = self._log(episodes, losses, per_update / (time.perf_counter() - start))
                    if self.curriculum and self.curriculum.advance(self.step / cfg.steps, metrics):
                        self.vec.set_reset_options({"overrides": self.curriculum.values()})
                    bar.update(per_update)
                    bar.set_postfix_str(self._postfix(metrics), refresh=False)
                    if self.updates % cfg.checkpoint_every == 0:
                        self.save()
                    if self.record_wrapper and cfg.record_every and self.updates % cfg.record_every == 0:
                        self.record_episode()
            self.save()
        finally:
            self.close()
        return {"step": self.step, **summarize(list(self.recent))}

    def _log(self, episodes: list[dict], losses: dict, steps_per_s: float) -> dict:
        self.recent.extend(episodes)
        metrics = {"step": self.step, "update": self.updates, "steps_per_s": steps_per_s, "episodes": len(episodes)}
        metrics.update(summarize(episodes))
        if self.curriculum:
            metrics.update({f"curriculum/{k}": v for k, v in self.curriculum.values().items()})
        for team, stats in losses.items():
            metrics.update({f"{team}/{k}": v for k, v in stats.items()})
        for hook in self.metric_hooks:
            metrics.update(hook(episodes))
        with open(self.run_dir / "metrics.jsonl", "a") as f:
            f.write(json.dumps(metrics) + "\n")
        for key, value in metrics.items():
            if key not in ("step", "update") and np.isfinite(value):
                self.writer.add_scalar(key, value, self.step)
        return metrics

    def _postfix(self, metrics: dict) -> str:
        recent = summarize(list(self.recent))
        returns = " ".join(f"{k[7:]}={v:.3g}" for k, v in recent.items() if k.startswith("return/"))
        return f"{metrics['steps_per_s']:.0f} steps/s {returns}"

    def record_episode(self):
        """Play one episode in a fresh env wrapped by `record_wrapper`, which writes it to the run."""
        path = self.run_dir / "replays" / f"update_{self.updates:06d}"
        path.parent.mkdir(exist_ok=True)
        vec = InProcessVecEnv(lambda: self.record_wrapper(self.make_env(), path), 1, self.vec.spec,
                              flatten=self.cfg.encoder == "mlp")
        try:
            play(vec, self.policies, 1, self.device, deterministic=False, seed=self.cfg.seed + self.updates)
        finally:
            vec.close()

    def close(self):
        self.vec.close()
        if self._writer is not None:
            self._writer.close()


def evaluate(run_dir: str | Path, make_env, episodes: int, deterministic: bool = True) -> dict:
    """Load the latest checkpoint of a run, play `episodes` episodes, write and return eval.json."""
    run_dir = Path(run_dir)
    if not (run_dir / "config.yaml").exists():
        raise InputError(f"{run_dir}: not a run directory (no config.yaml)")
    cfg = config_mod.load(run_dir / "config.yaml")
    path = run_dir / CHECKPOINT
    if not path.exists():
        raise InputError(f"{run_dir}: no {CHECKPOINT}; train first")
    state = read_checkpoint(path)
    device = resolve_device(cfg.device)
    vec = open_envs(make_env, cfg, min(episodes, cfg.envs))
    try:
        policies = build_policies(vec.spec, cfg, device)
        load_policies(policies, state, path)
        for policy in policies.values():
            policy.eval()
        done = play(vec, policies, episodes, device, deterministic, cfg.seed + 10_000)
    finally:
        vec.close()
    result = {"run": str(run_dir), "step": int(state["step"]), "episodes": len(done), "deterministic": deterministic,
              "mean": summarize(done), "std": {k: float(np.std([e[k] for e in done if k in e]))
                                               for k in summarize(done)}}
    (run_dir / "eval.json").write_text(json.dumps(result, indent=2))
    return result
