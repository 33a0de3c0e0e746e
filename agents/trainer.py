"""The training loop: collect a rollout from all envs, update every team, log, checkpoint.

    for each update:
        rollouts = collect(policies, envs, rollout_len)        # buffer.Collector
        for each team: algorithm.update(rollout.batch())      # ppo.PPO / trpo.TRPO / trpo.TNPG
        log metrics (TensorBoard, metrics.jsonl, progress bar); checkpoint every few updates

Hooks (the CLI layer supplies them; this package stays env-agnostic):
- `metric_hooks`: functions (episodes: list[dict]) -> dict called once per update with the statistics
  of the episodes that ended in it; their results are logged with the other metrics.
- `record_wrapper(env, path, meta) -> env` wraps a fresh env so that it records every episode it
  finishes into files named `<path.name>...` in the directory `path.parent`, with `meta` (run, step,
  update) stored beside it. When set, one episode is played and recorded every `record_every` updates.
- `milestones(episode: dict) -> dict[str, bool]` names what one episode shows. The first update in
  which a milestone holds in most (> 50 %) of the episodes that ended is written to `stages.json`
  (`{name: {step, update, share, ...}}`), and, with a record wrapper, an episode showing it is saved as
  `highlights/<name><suffix>`: up to HIGHLIGHT_TRIES episodes are played until one shows it."""
from __future__ import annotations

import dataclasses
import json
import os
import shutil
import signal
import sys
import tempfile
import time
import threading
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from agents import checkpoints, runfiles, seeds
from agents import config as config_mod
from agents.buffer import Collector
from agents.curriculum import Curriculum
from agents.entropy import EntropyFloor
from agents.envs import action_dim
from agents.mappo import OpponentPool
from agents.policy import TeamPolicy
from agents.ray_vec import RayCollector, RayVecEnv, connect
from agents.ppo import PPO
from agents.trpo import TNPG, TRPO
from agents.vec import InProcessVecEnv, make_vec_env
from scenarios.errors import InputError

ALGORITHMS = {**dict.fromkeys(config_mod.PPO_FAMILY, PPO), "trpo": TRPO, "tnpg": TNPG}
CHECKPOINT = "checkpoint.pt"
MILESTONES = "stages.json"
HIGHLIGHT_TRIES = 8


def resolve_device(name: str) -> torch.device:
    if name == "cuda" and not torch.cuda.is_available():
        raise InputError("--device cuda: no CUDA device is available")
    return torch.device("cuda" if name == "auto" and torch.cuda.is_available() else "cpu" if name == "auto" else name)


def native_bf16(device: torch.device) -> bool:
    """Whether bfloat16 matrix products run in hardware here (elsewhere torch emulates them, slowly)."""
    if device.type == "cuda":
        return torch.cuda.is_bf16_supported()
    probes = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    return any(getattr(torch.cpu, probe, lambda: False)() for probe in probes)


def open_envs(make_env, cfg, n_envs: int, groups: int = 1):
    return make_vec_env(make_env, n_envs, cfg.workers, flatten=cfg.encoder == "mlp", use_state=cfg.critic == "state",
                        groups=groups)


def build_policies(spec, cfg, device) -> dict[str, TeamPolicy]:
    if cfg.encoder == "entity" and not all(hasattr(t.obs_space, "spaces") for t in spec.teams):
        raise InputError("--encoder entity needs Dict (entity) observations")
    return {t.name: TeamPolicy(t, spec.state_dim, cfg).to(device) for t in spec.teams}


def load_policies(policies: dict[str, TeamPolicy], state: dict, path: Path):
    try:
        for team, policy in policies.items():
            policy.load_state_dict(state["policies"][team])
    except (KeyError, RuntimeError) as e:
        raise InputError(f"{path}: checkpoint does not match this environment/config ({e})") from e


def play(vec, policies: dict[str, TeamPolicy], episodes: int, device, deterministic: bool, seed: int,
         progress: bool = False) -> list[dict]:
    """Play `episodes` episodes with fixed policies; returns their statistics (the first to finish).
    Episode k of env i is seeded `seed + i + k * envs`: with episodes of one length, the n-th
    episode returned draws the same layout however many envs play them. `progress`: a bar of the
    episodes played."""
    vec.reset(seed, stride=vec.num_envs)
    collector = Collector(vec, policies, 1, device, deterministic=deterministic)
    done: list[dict] = []
    with tqdm(total=episodes, unit="episode", disable=None if progress else True, dynamic_ncols=True) as bar:
        while len(done) < episodes:
            finished = collector.collect(update_normalizers=False)
            bar.update(min(len(finished), episodes - len(done)))
            done += finished
    return done[:episodes]


@contextmanager
def interrupts_deferred():
    """Holds back SIGINT and SIGTERM while the block runs, so that an update is never cut in half;
    yields the list of those that arrived, for the caller to act on after the block (signals ignored,
    as SIGINT in a background job, stay ignored)."""
    caught: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield caught
        return
    previous = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    for s, handler in previous.items():
        if handler is not signal.SIG_IGN:
            signal.signal(s, lambda signum, frame: caught.append(signum))
    try:
        yield caught
    finally:
        for s, handler in previous.items():
            signal.signal(s, signal.SIG_DFL if handler is None else handler)


def summarize(episodes: list[dict]) -> dict:
    keys = sorted({k for e in episodes for k in e})
    return {k: float(np.mean([e[k] for e in episodes if k in e])) for k in keys}


class Trainer:
    def __init__(self, cfg, make_env, run_dir: str | Path, resume: bool = False, record_wrapper=None,
                 milestones=None):
        self.cfg, self.make_env, self.run_dir = cfg, make_env, Path(run_dir)
        self.device = resolve_device(cfg.device)
        seeds.train(cfg.seed)
        if cfg.ray:  # an unreachable cluster fails before the run directory exists
            connect(cfg.ray)
        created = not self.run_dir.exists()
        try:
            self.run_dir.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise InputError(f"--run-dir {self.run_dir}: cannot create the directory ({e.strerror})") from e
        self.metric_hooks: list = []
        self.highlight_frames = None  # path -> (frames (T, H, W, 3), fps): highlights also go to TensorBoard
        self.record_wrapper, self.milestones = record_wrapper, milestones
        self.firsts: dict[str, dict] = {}  # milestone -> when it first held (stages.json)
        if milestones and resume:
            self._read_firsts()
        if cfg.bf16 and not native_bf16(self.device):
            print(f"arena: warning: bf16 asked for, but this {self.device.type} has no native bfloat16 (AVX512-BF16 "
                  "or AMX on a CPU); training in float32, which is faster here", file=sys.stderr)
            self.cfg = cfg = dataclasses.replace(cfg, bf16=False)
        torch.set_num_threads(max(1, cfg.threads))
        torch.manual_seed(cfg.seed)
        self.generator = torch.Generator().manual_seed(cfg.seed)
        if cfg.ray:  # rollouts on Ray actors (agents/ray_vec.py)
            self.vec = RayVecEnv(make_env, cfg, cfg.envs)
            self.metric_hooks.append(lambda episodes: self.collector.timings)
        else:
            self.vec = open_envs(make_env, cfg, cfg.envs, groups=2 if cfg.overlap else 1)  # 2 groups: overlapped collection
        try:
            self._build(resume)
        except Exception:
            self.vec.close()
            if created and not any(self.run_dir.iterdir()):  # a run that never started leaves no empty dir
                self.run_dir.rmdir()
            raise
        # everything is checked: only now is the run directory written to
        runfiles.remove_debris(self.run_dir)
        if not resume:  # the CLI refuses a run directory holding a run, unless told to overwrite it
            runfiles.clear_run(self.run_dir)
        if resume:
            runfiles.keep_metrics_until(self.run_dir / "metrics.jsonl", self.step)
        config_mod.save(cfg, self.run_dir / "config.yaml")
        if milestones and not resume:
            runfiles.write_json(self.run_dir / MILESTONES, {})
        self._writer = None
        self._saved_at: float | None = None  # when this process last saved a checkpoint

    def _build(self, resume: bool):
        cfg = self.cfg
        self.policies = build_policies(self.vec.spec, cfg, self.device)
        self.algos = {team: ALGORITHMS[cfg.algo](p, cfg) for team, p in self.policies.items()}
        self.pool = OpponentPool(self.policies, cfg, cfg.envs) if cfg.opponent_pool and len(self.policies) > 1 else None
        self.collector = (RayCollector if cfg.ray else Collector)(self.vec, self.policies, cfg.rollout_len, self.device)
        self.step = self.updates = 0
        self.recent = deque(maxlen=100)  # episode statistics for the progress bar
        self.curriculum = Curriculum(cfg) if cfg.curriculum else None
        # the env options of new episodes, and those that the episodes under way started with
        self.reset_options = self.episode_options = {"overrides": self.curriculum.values()} if self.curriculum else None
        unknown = set(cfg.entropy_target) - set(self.policies)
        if unknown:
            raise InputError(f"entropy_target: no team {', '.join(map(repr, sorted(unknown)))} here "
                             f"(teams: {', '.join(self.policies)})")
        self.entropy_floors = {team: EntropyFloor(h, cfg.entropy_target_rate, cfg.ent_coef,
                                                  self._action_components(team, h))
                               for team, h in cfg.entropy_target.items()}
        if resume:
            self._load()
        elif cfg.init_from:
            self._init_from(Path(cfg.init_from))

    def _action_components(self, team: str, target) -> int:
        """How many action components the team has; a floor on one it does not have is an error."""
        n = action_dim(self.policies[team].team.action_space)
        wrong = sorted(k for k in (target if isinstance(target, dict) else {}) if not 0 <= k < n)
        if wrong:
            raise InputError(f"entropy_target: {team!r} has action components 0 to {n - 1}, not {wrong}")
        return n

    # -- checkpoints: everything needed to continue, written atomically
    def save(self):
        state = {"step": self.step, "updates": self.updates, "config": dataclasses.asdict(self.cfg),
                 "policies": {t: p.state_dict() for t, p in self.policies.items()},
                 "algos": {t: a.state_dict() for t, a in self.algos.items()},
                 "pool": self.pool.state_dict() if self.pool else None,
                 "curriculum": self.curriculum.state_dict() if self.curriculum else None,
                 "entropy_floors": {t: f.state_dict() for t, f in self.entropy_floors.items()},
                 "rng": {"torch": torch.get_rng_state(), "generator": self.generator.get_state()},
                 "episode_options": self.episode_options}
        checkpoints.write(state, self.run_dir / CHECKPOINT)
        self._saved_at = time.monotonic()

    def _load(self):
        path = self.run_dir / CHECKPOINT
        if not path.exists():
            raise InputError(f"{self.run_dir}: no {CHECKPOINT} to resume from")
        state = checkpoints.read(path)
        stored = state.get("config", {})
        current = dataclasses.asdict(self.cfg)
        changed = sorted(k for k in stored if k in current and k not in checkpoints.MIDRUN and current[k] != stored[k])
        if changed:
            raise InputError("a resume may change only " + ", ".join(checkpoints.MIDRUN) + "; this run has "
                             + "; ".join(f"{k}: {stored[k]!r}" for k in changed))
        load_policies(self.policies, state, path)
        try:
            for team, algo in self.algos.items():
                algo.load_state_dict(state["algos"][team])
            if self.pool and state.get("pool"):
                self.pool.load_state_dict(state["pool"])
            if self.curriculum and state.get("curriculum"):
                self.curriculum.load_state_dict(state["curriculum"])
            for team, floor in self.entropy_floors.items():
                floor.load_state_dict(state["entropy_floors"][team])
            self.episode_options = state.get("episode_options", self.episode_options)
            torch.set_rng_state(state["rng"]["torch"])
            self.generator.set_state(state["rng"]["generator"])
        except (KeyError, ValueError, RuntimeError) as e:
            raise InputError(f"{path}: checkpoint does not match this run ({e})") from e
        self.step, self.updates = int(state["step"]), int(state["updates"])

    def _init_from(self, source: Path):
        path = source / CHECKPOINT if source.is_dir() else source
        if not path.exists():
            raise InputError(f"--init-from {source}: no {CHECKPOINT} there")
        state = checkpoints.read(path)
        shared = state.get("policies", {})
        state["policies"] = {t: self.policies[t].with_actor_per_rank(s) if t in self.policies else s for t, s in shared.items()}
        load_policies(self.policies, state, path)

    def _read_firsts(self):
        """On resume, keep the first steps noted before: a milestone is only ever noted once."""
        path = self.run_dir / MILESTONES
        if not path.exists():
            return
        try:
            self.firsts = json.loads(path.read_text())
            if not isinstance(self.firsts, dict):
                raise ValueError("expected a JSON object")
        except (ValueError, OSError) as e:
            raise InputError(f"{path}: cannot read the noted milestones ({e}); fix or delete the file") from e

    @property
    def writer(self):
        if self._writer is None:
            from torch.utils.tensorboard import SummaryWriter

            self._writer = SummaryWriter(str(self.run_dir / "tb"), purge_step=self.step or None)
        return self._writer

    def train(self) -> dict:
        cfg = self.cfg
        per_update = cfg.rollout_len * cfg.envs
        # each episode of env i is seeded, the k-th after this reset with seed + i + k * envs, and the
        # episodes under way start with the options they had: a resume at an update where every env
        # starts an episode plays the episodes an unbroken run would
        self.vec.set_reset_options(self.episode_options)
        self.vec.reset(seeds.train(cfg.seed, self.updates * cfg.envs), stride=cfg.envs)
        if self.curriculum:
            self.curriculum.advance(self.step / cfg.steps, {})
            self._set_reset_options()
        if self.step:
            tqdm.write(f"resuming from step {self.step} (update {self.updates})")
        updating = False
        try:
            with tqdm(total=cfg.steps, initial=self.step, unit="step", dynamic_ncols=True, disable=None) as bar:
                while self.step < cfg.steps:
                    start = time.perf_counter()
                    if self.pool:
                        self.collector.set_opponents(self.pool.assign(self.generator))
                    self.episode_options = self.reset_options  # what the episodes in this rollout start with
                    episodes = self.collector.collect()
                    updating = True
                    with interrupts_deferred() as caught:
                        metrics = self._update(episodes, per_update, start)
                    updating = False
                    bar.update(per_update)
                    bar.set_postfix_str(self._postfix(metrics), refresh=False)
                    if caught:
                        raise KeyboardInterrupt
            self.save()
        except BaseException as e:
            if not updating:  # policies and optimisers are as the last update left them: keep that update
                self._save_on_the_way_out(e)
            raise
        finally:
            self.close()
        return {"step": self.step, **summarize(list(self.recent))}

    def _update(self, episodes: list[dict], per_update: int, start: float) -> dict:
        """Update every team on the rollouts just collected, then log, checkpoint and record as due;
        returns the update's metrics."""
        cfg = self.cfg
        progress = self.step / cfg.steps
        for team, floor in self.entropy_floors.items():
            self.algos[team].ent_coef = floor.coef
        losses = self._update_teams(progress)
        holding = self.curriculum is None or self.curriculum.stage < self.curriculum.stages
        for team, floor in self.entropy_floors.items():
            losses[team].update(floor.logged())
            floor.update(losses[team], holding)
        self.step += per_update
        self.updates += 1
        if self.pool and self.updates % cfg.pool_every == 0:
            self.pool.add(self.policies)
        metrics = self._log(episodes, losses, per_update / (time.perf_counter() - start))
        if self.milestones:
            self._note_milestones(episodes)
        if self.curriculum and self.curriculum.advance(self.step / cfg.steps, metrics):
            self._set_reset_options()
        if self._checkpoint_due():
            self.save()
        if self.record_wrapper and cfg.record_every and self.updates % cfg.record_every == 0:
            self.record_episode()
        return metrics

    def _set_reset_options(self):
        self.reset_options = {"overrides": self.curriculum.values()}
        self.vec.set_reset_options(self.reset_options)

    def _checkpoint_due(self) -> bool:
        """Every `checkpoint_every` updates, every `checkpoint_minutes` (0: never by time), and at the
        first update of this process."""
        minutes = self.cfg.checkpoint_minutes
        return (self.updates % self.cfg.checkpoint_every == 0 or self._saved_at is None
                or (minutes > 0 and time.monotonic() - self._saved_at >= minutes * 60))

    def _save_on_the_way_out(self, error: BaseException):
        try:
            self.save()
        except Exception as e:  # a failed save must not hide what stopped the run
            print(f"arena: warning: could not save a checkpoint ({e})", file=sys.stderr)
            return
        what = "interrupted" if isinstance(error, KeyboardInterrupt) else f"stopped by {type(error).__name__}"
        print(f"{what}: checkpoint of step {self.step} saved, --resume {self.run_dir} continues", file=sys.stderr)

    def _update_teams(self, progress: float) -> dict:
        """Each team's update on its rollout, while the env workers sit idle. With `update_threads` and
        at least two PPO-family teams, the teams update at once, one Python thread each with its share
        of the torch threads: on busy cores, the many small operations of an update pay far more for
        torch's intra-op threads waiting on each other than they gain. The minibatch orders are drawn
        first, in team order, so the results are those of the teams updated one after the other (unless
        target_kl stops an update early)."""
        cfg = self.cfg
        batches = {team: self.collector.rollouts[team].batch(cfg.gamma, cfg.gae_lambda) for team in self.algos}
        parallel = min(cfg.update_threads, len(self.algos)) if cfg.algo in config_mod.PPO_FAMILY else 1
        torch.set_num_threads(cfg.update_threads // parallel)
        try:
            if parallel < 2:
                return {team: algo.update(batches[team], progress) for team, algo in self.algos.items()}
            orders = {team: algo.shuffles(batches[team]) for team, algo in self.algos.items()}
            with ThreadPoolExecutor(parallel) as pool:
                futures = {team: pool.submit(algo.update, batches[team], progress, orders[team])
                           for team, algo in self.algos.items()}
                return {team: future.result() for team, future in futures.items()}
        finally:
            torch.set_num_threads(cfg.threads)

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
        """Speed, mean returns of the last 100 episodes, the stage rates of this update's episodes
        (`stage/*` metrics) and the curriculum's stage."""
        recent = summarize(list(self.recent))
        parts = [f"{metrics['steps_per_s']:.0f} steps/s"]
        parts += [f"{k[7:]}={v:.3g}" for k, v in recent.items() if k.startswith("return/")]
        parts += [f"{k[6:]} {v:.0%}" for k, v in metrics.items() if k.startswith("stage/")]
        if self.curriculum:
            parts.append(f"curriculum {self.curriculum.stage}/{self.curriculum.stages}")
        return " ".join(parts)

    def _record_meta(self, **extra) -> dict:
        return {"run": str(self.run_dir), "step": self.step, "update": self.updates, **extra}

    def _recording_vec(self, path: Path, meta: dict) -> InProcessVecEnv:
        """One fresh env wrapped by `record_wrapper`, at the curriculum's current values."""
        vec = InProcessVecEnv(lambda: self.record_wrapper(self.make_env(), path, meta), 1, self.vec.spec,
                              flatten=self.cfg.encoder == "mlp")
        if self.curriculum:
            vec.set_reset_options({"overrides": self.curriculum.values()})
        return vec

    def record_episode(self):
        """Play one episode in a fresh env wrapped by `record_wrapper`, which writes it to the run."""
        path = self.run_dir / "replays" / f"update_{self.updates:06d}"
        path.parent.mkdir(exist_ok=True)
        vec = self._recording_vec(path, self._record_meta())
        try:
            play(vec, self.policies, 1, self.device, deterministic=False, seed=seeds.train(self.cfg.seed, self.updates))
        finally:
            vec.close()

    def _note_milestones(self, episodes: list[dict]):
        shown = [m for m in map(self.milestones, episodes) if m]
        order = list(dict.fromkeys(name for m in shown for name in m))  # the paper's stages, in order
        for k, name in enumerate(order):
            share = sum(bool(m.get(name)) for m in shown) / len(shown)
            if name in self.firsts or share <= 0.5:
                continue
            entry = {"step": self.step, "update": self.updates, "share": share, "episodes": len(shown)}
            if self.curriculum:  # the episodes it held in were played at these values
                entry["curriculum"] = self.curriculum.values()
            tqdm.write(f"milestone: {name} first held in {share:.0%} of the {len(shown)} episodes of update "
                       f"{self.updates} (step {self.step})")
            if self.record_wrapper:
                entry.update(self.record_highlight(name))
                if self.highlight_frames and entry.get("highlight"):
                    self._log_video(f"highlight/{name}", *self.highlight_frames(self.run_dir / entry["highlight"]))
            for earlier in order[:k]:  # a later milestone holding overtakes the earlier ones
                if earlier in self.firsts and "overtaken_step" not in self.firsts[earlier]:
                    self.firsts[earlier]["overtaken_step"] = self.step
            self.firsts[name] = entry
            runfiles.write_json(self.run_dir / MILESTONES, self.firsts)

    def _log_video(self, tag: str, frames: np.ndarray, fps: float) -> None:
        """An animated GIF in TensorBoard's Images tab, as SummaryWriter.add_video makes it, encoded
        with imageio (add_video itself needs moviepy 1.x)."""
        import imageio.v3 as iio
        from tensorboard.compat.proto.summary_pb2 import Summary

        gif = iio.imwrite("<bytes>", frames, extension=".gif", duration=1000.0 / fps, loop=0)
        image = Summary.Image(height=frames.shape[1], width=frames.shape[2], colorspace=3, encoded_image_string=gif)
        self.writer._get_file_writer().add_summary(Summary(value=[Summary.Value(tag=tag, image=image)]), self.step)

    def record_highlight(self, name: str) -> dict:
        """Play episodes with the current policies until one shows milestone `name` (at most
        HIGHLIGHT_TRIES) and keep its recording as highlights/<name><suffix>; without success the last
        one is kept. Returns what stages.json notes about it."""
        out_dir = self.run_dir / "highlights"
        out_dir.mkdir(exist_ok=True)
        tries_dir = Path(tempfile.mkdtemp(dir=out_dir, prefix=".tries-"))
        try:
            vec = self._recording_vec(tries_dir / name, self._record_meta(highlight=name))
            try:
                for attempt in range(1, HIGHLIGHT_TRIES + 1):
                    for old in tries_dir.iterdir():
                        old.unlink()
                    seed = seeds.train(self.cfg.seed, 1_000_003 * self.updates + attempt)
                    episode = play(vec, self.policies, 1, self.device, deterministic=False, seed=seed)[0]
                    shows = bool(self.milestones(episode).get(name))
                    if shows:
                        break
            finally:
                vec.close()
            written = sorted(tries_dir.iterdir())
            if not written:
                tqdm.write(f"milestone: {name}: the record wrapper wrote no file; no highlight")
                return {"highlight": None}
            target = out_dir / (name + "".join(Path(written[-1].name).suffixes))
            os.replace(written[-1], target)
        finally:
            shutil.rmtree(tries_dir, ignore_errors=True)
        if shows:
            tqdm.write(f"milestone: {name}: highlight {target} (episode {attempt} of at most {HIGHLIGHT_TRIES})")
        else:
            tqdm.write(f"milestone: {name}: none of {HIGHLIGHT_TRIES} episodes showed it; kept the last as "
                       f"{target}")
        return {"highlight": str(target.relative_to(self.run_dir)), "highlight_shows": shows,
                "highlight_tries": attempt}

    def close(self):
        self.vec.close()
        if self._writer is not None:
            self._writer.close()


@dataclasses.dataclass(frozen=True)
class SavedRun:
    """A run directory or a checkpoint file, checked and read: its config, checkpoint state, the
    checkpoint's path and the folder it is in."""
    cfg: config_mod.Config
    state: dict
    checkpoint: Path
    run_dir: Path


def open_run(source: str | Path) -> SavedRun:
    """Read a run directory (config.yaml + checkpoint.pt) or a checkpoint file (with the config.yaml
    beside it, or else the config stored inside it). config.yaml must agree with the checkpoint."""
    source = Path(source)
    path = source / CHECKPOINT if source.is_dir() else source
    if source.is_dir() and not (source / "config.yaml").exists():
        raise InputError(f"{source}: not a run directory (no config.yaml)")
    if not path.is_file():
        raise InputError(f"{source}: no {CHECKPOINT} there; train first" if source.is_dir()
                         else f"{source}: not a run directory or a checkpoint file")
    state = checkpoints.read(path)
    stored = state.get("config") or {}
    yaml_path = path.parent / "config.yaml"
    if yaml_path.exists():
        checkpoints.check_config(config_mod.read_yaml(yaml_path), stored, yaml_path)
        cfg = config_mod.load(yaml_path)
    else:
        cfg = config_mod.resolve(stored.get("algo", "mappo"), (f"{path} (its stored config)", stored))
    return SavedRun(cfg, state, path, path.parent)


def export_policies(run_dir: str | Path, out_dir: str | Path, overwrite: bool = False) -> Path:
    """A small copy of a run that `evaluate` can play but training cannot resume: the config, the
    policies of the last checkpoint with their input normalisers (no optimiser, opponent pool or RNG
    state), and stages.json / eval.json when they exist. An existing run at `out_dir` is replaced
    only with `overwrite`."""
    run_dir, out_dir = Path(run_dir), Path(out_dir)
    if not (run_dir / "config.yaml").exists() or not (run_dir / CHECKPOINT).exists():
        raise InputError(f"{run_dir}: not a trained run directory (needs config.yaml and {CHECKPOINT})")
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"{out_dir}: exists and is not a directory")
    if not overwrite and any((out_dir / name).exists() for name in (CHECKPOINT, "config.yaml")):
        raise InputError(f"{out_dir}: holds a run already; exporting would replace it (--overwrite to do so)")
    saved = open_run(run_dir)
    state = saved.state
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise InputError(f"{out_dir}: cannot create the directory ({e.strerror})") from e
    slim = {"step": state["step"], "updates": state["updates"], "config": state["config"], "policies": state["policies"]}
    checkpoints.write(slim, out_dir / CHECKPOINT)
    for name in ("config.yaml", MILESTONES, "eval.json"):
        if (run_dir / name).exists() and (run_dir / name).resolve() != (out_dir / name).resolve():
            runfiles.copy_atomic(run_dir / name, out_dir / name)
    return out_dir / CHECKPOINT


def evaluate(run: str | Path | SavedRun, make_env, episodes: int, deterministic: bool = True, metric_hooks=(),
             record_wrapper=None, record_dir: str | Path | None = None, notes: dict | None = None,
             out: str | Path | None = None, seed: int = seeds.VALIDATION_SET, progress: bool = False) -> dict:
    """Play `episodes` episodes of evaluation set `seed` (seeds.evaluation: never a training seed) with
    a run's checkpoint (a run directory, a checkpoint file or an open_run), write the result to `out`
    when given, and return it.
    `metric_hooks` (as in Trainer) add to its `metrics`; with `record_wrapper`, every episode is recorded
    into `record_dir` (files `episode...`), played one after the other in a single env (the same
    layouts: `play`); `notes` are written into eval.json as they are."""
    run = run if isinstance(run, SavedRun) else open_run(run)
    cfg, state = run.cfg, run.state
    first_seed = seeds.evaluation(seed, 0)
    seeds.evaluation(seed, episodes * max(1, cfg.envs))  # the last seed the envs may reach is in the set
    device = resolve_device(cfg.device)
    if record_wrapper:
        meta = {"run": str(run.run_dir), "step": int(state["step"]), "checkpoint": str(run.checkpoint), "eval": True,
                "deterministic": deterministic}
        stem = Path(record_dir or run.run_dir / "eval_replays") / "episode"
        vec = make_vec_env(lambda: record_wrapper(make_env(), stem, meta), 1, 1, flatten=cfg.encoder == "mlp",
                           use_state=cfg.critic == "state")
    else:
        vec = open_envs(make_env, cfg, min(episodes, cfg.envs))
    try:
        policies = build_policies(vec.spec, cfg, device)
        load_policies(policies, state, run.checkpoint)
        for policy in policies.values():
            policy.eval()
        done = play(vec, policies, episodes, device, deterministic, first_seed, progress=progress)
    finally:
        vec.close()
    result = {"run": str(run.run_dir), "step": int(state["step"]), "episodes": len(done), "deterministic": deterministic,
              "seed": seed, "set": "validation" if seed == seeds.VALIDATION_SET else "test",
              "mean": summarize(done), "std": {k: float(np.std([e[k] for e in done if k in e]))
                                               for k in summarize(done)},
              "metrics": {k: v for hook in metric_hooks for k, v in hook(done).items()}, **(notes or {})}
    if out:
        runfiles.write_json(Path(out), result)
    return result
