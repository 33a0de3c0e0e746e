"""Rollouts collected by Ray actors, possibly on other machines; the learner stays in this process.

Each worker is a Ray actor (1 CPU) owning K envs of the run (a contiguous block of env rows) and a
CPU copy of the team policies. Per update the learner puts the new weights in the object store once
(`ray.put`); every worker loads them, plays its envs for `rollout_len` steps with its own
`buffer.Collector` (sampling the actions itself) and returns its rollout as numpy arrays. The
learner writes each worker's block into full-size rollouts, so the update sees the envs in the same
order as with the local backend.

Same seed, same total envs as a local run: the envs are seeded alike (env i with `seed + i`) and
worker 0 continues the learner's torch random stream, so with one worker the run is the local run,
number for number. With W > 1 workers two things differ, by construction: workers 1..W-1 sample
their actions from streams of their own (seeded from `seed` and the worker index), and with
`norm_obs` each worker's input normalisers take in only its own envs during a rollout (the learner
then folds all of them in, so it ends with statistics over the same observations).

Faults: a worker whose process dies is restarted by Ray (`max_restarts`), which runs the call it
was given again (`max_task_retries`) on the new process; that one first resets its envs with seeds
no env of the run used and the curriculum's options. A rollout still missing after
`COLLECT_TIMEOUT` seconds counts as lost: its worker is restarted and the update uses the rollouts
that arrived (the lost block is masked out), so nothing waits forever."""
from __future__ import annotations

import copy
import os
import socket
import time

import numpy as np
import torch

from agents.buffer import Collector, TeamRollout
from agents.envs import as_parallel, describe
from agents.vec import InProcessVecEnv
from scenarios.errors import InputError

COLLECT_TIMEOUT = 900.0  # seconds; far above a rollout's time, so only a stuck worker reaches it
STARTUP_TIMEOUT = 900.0  # seconds for the actors to start (and import torch) on a busy cluster
CONNECT_TIMEOUT = 5.0  # seconds to reach a cluster's address before giving up
FRESH_SEEDS = 1_000_000  # a restarted worker's envs reset with seeds at least this many env-blocks past the run's
RETRIES = 3  # times a rollout call is run again on its restarted worker
ROLLOUT_FIELDS = ("actions", "logp", "values", "next_values", "rewards", "terminated", "dones", "mask", "first",
                  "h_actor", "h_critic")


def connect(address: str):
    """Join the cluster at `address` ('auto', host:port or ray://host:port), or start Ray here for
    'local'; a cluster that cannot be reached is an InputError."""
    import ray

    if address not in ("local", "auto"):
        host, _, port = address.removeprefix("ray://").rpartition(":")
        try:
            socket.create_connection((host, int(port)), timeout=CONNECT_TIMEOUT).close()
        except (OSError, ValueError) as e:
            raise InputError(f"--ray {address}: cannot reach a Ray cluster there ({e})") from e
    if ray.is_initialized():
        return
    try:
        ray.init(address=None if address == "local" else address, include_dashboard=False,
                 log_to_driver=False)
    except (ConnectionError, RuntimeError, ValueError) as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise InputError(f"--ray {address}: cannot reach a Ray cluster ({first})") from e


class RolloutWorker:
    """One Ray actor: K envs, CPU copies of the policies and of past opponents, a Collector."""

    def __init__(self, make_env, cfg, rows: range, index: int):
        from agents.trainer import build_policies

        os.environ["OMP_NUM_THREADS"] = "1"
        torch.set_num_threads(1)
        torch.manual_seed(cfg.seed + 7_919 * index)  # worker 0 takes the learner's stream instead
        self.rows = rows
        probe = as_parallel(make_env())
        spec = describe(probe, cfg.encoder == "mlp", cfg.critic == "state")
        probe.close()
        self.vec = InProcessVecEnv(make_env, len(rows), spec, cfg.encoder == "mlp")
        self.policies = build_policies(spec, cfg, torch.device("cpu"))
        self.players = {team: copy.deepcopy(p) for team, p in self.policies.items()}
        self.collector = Collector(self.vec, self.policies, cfg.rollout_len, torch.device("cpu"))
        import ray

        self.fresh = ray.get_runtime_context().was_current_actor_reconstructed  # its envs need a reset

    def pid(self) -> int:
        return os.getpid()

    def reset(self, seed: int, stride: int, options: dict | None):
        self.vec.set_reset_options(options)
        self.vec.reset(seed + self.rows.start, stride)
        self.fresh = False

    def set_reset_options(self, options: dict | None):
        self.vec.set_reset_options(options)

    def collect(self, weights: dict, opponents: dict, rng_state, restart: tuple) -> dict:
        """Play one rollout with `weights` ({team: {name: array}}); `opponents` {team: (reference to
        weights in the object store, bool rows of this worker)} play for their team in those rows.
        Returns the rollout as numpy arrays, the episodes that ended, each normaliser's tally of this
        rollout, the torch random state when `rng_state` was given, and the node it ran on. A
        restarted worker first resets its envs with `restart` (seed, stride, options)."""
        import ray

        if self.fresh:
            self.reset(*restart)
            self.fresh = False
        for team, policy in self.policies.items():
            policy.load_state_dict({k: torch.tensor(v) for k, v in weights[team].items()})
        playing = {}
        for team, (state, rows) in opponents.items():
            self.players[team].load_state_dict({k: torch.tensor(v) for k, v in ray.get(state).items()})
            playing[team] = (self.players[team], torch.tensor(rows))
        self.collector.set_opponents(playing)
        tallies = _tally_normalizers(self.policies)
        if rng_state is not None:
            torch.set_rng_state(torch.tensor(rng_state))
        episodes = self.collector.collect()
        return {"episodes": episodes, "rollouts": {team: _arrays(ro) for team, ro in self.collector.rollouts.items()},
                "tallies": {team: {name: _norm_arrays(t) for name, t in by_name.items()}
                            for team, by_name in tallies.items()},
                "norms": {team: {name: _norm_arrays(getattr(p, name)) for name in tallies[team]}
                          for team, p in self.policies.items()},
                "rng": torch.get_rng_state().numpy() if rng_state is not None else None,
                "node": ray.get_runtime_context().get_node_id()}


def _norms(policy) -> dict:
    """The input normalisers a rollout updates, by attribute name."""
    names = ("obs_norm", "state_norm") if policy.central else ("obs_norm",)
    return {name: getattr(policy, name) for name in names if getattr(policy, name) is not None}


def _tally_normalizers(policies) -> dict:
    """Make each input normaliser also count what it takes in, in a fresh float64 tally."""
    from agents.policy import RunningNorm

    tallies = {}
    for team, policy in policies.items():
        tallies[team] = {}
        for name, norm in _norms(policy).items():
            tally = RunningNorm(norm.mean.shape).double()
            tally.count.zero_()
            norm.update = lambda x, norm=norm, tally=tally: (RunningNorm.update(norm, x), tally.update(x))
            tallies[team][name] = tally
    return tallies


def _norm_arrays(norm) -> tuple:
    return norm.mean.numpy(), norm.var.numpy(), float(norm.count)


def _arrays(ro: TeamRollout) -> dict:
    out = {f"actor_in/{k}": v.numpy() for k, v in ro.actor_in.items()}
    if ro.critic_in is not ro.actor_in:
        out["critic_in"] = ro.critic_in[""].numpy()
    out.update({name: getattr(ro, name).numpy() for name in ROLLOUT_FIELDS if getattr(ro, name) is not None})
    return out


def _numpy_state(policy) -> dict:
    return {k: v.detach().cpu().numpy() for k, v in policy.state_dict().items()}


class RayVecEnv:
    """The envs of a run spread over Ray actors: `spec`, `num_envs`, `reset`, `set_reset_options` and
    `close` as the local backends; the rollouts themselves come from `RayCollector`."""

    def __init__(self, make_env, cfg, n_envs: int):
        import ray

        connect(cfg.ray)
        probe = as_parallel(make_env())
        self.spec = describe(probe, cfg.encoder == "mlp", cfg.critic == "state")
        probe.close()
        self.num_envs = n_envs
        cpus = int(ray.cluster_resources().get("CPU", 1))
        n_workers = min(n_envs, cfg.ray_workers or cpus)
        self.blocks = [range(int(p[0]), int(p[-1]) + 1) for p in np.array_split(np.arange(n_envs), n_workers)]
        actor = ray.remote(num_cpus=1, max_restarts=-1, max_task_retries=RETRIES)(RolloutWorker)
        self.workers = [actor.remote(make_env, cfg, rows, i) for i, rows in enumerate(self.blocks)]
        self.options, self.seed, self.stride, self.calls = None, 0, 0, 0
        try:
            self._get([w.pid.remote() for w in self.workers], STARTUP_TIMEOUT)
        except Exception:
            self.close()
            raise

    @staticmethod
    def _get(refs, timeout: float | None = None):
        import ray

        try:
            return ray.get(refs, timeout=timeout or COLLECT_TIMEOUT)
        except ray.exceptions.RayError as e:
            raise RuntimeError(f"Ray rollout worker failed:\n{e}") from e

    def reset(self, seed: int, stride: int = 0):
        self.seed, self.stride = seed, stride
        self._get([w.reset.remote(seed, stride, self.options) for w in self.workers])

    def set_reset_options(self, options: dict | None):
        self.options = options
        self._get([w.set_reset_options.remote(options) for w in self.workers])

    def restart(self) -> tuple:
        """What a restarted worker resets its envs with: seeds past any the run has used, and the
        curriculum's current options."""
        self.calls += 1
        return self.seed + self.num_envs * (FRESH_SEEDS + self.calls), self.stride, self.options

    def lost(self, i: int):
        """Worker i did not deliver in time: restart it (its next call resets its envs), and wait until
        it is up, so that its start does not count against the next update's COLLECT_TIMEOUT."""
        import ray

        ray.kill(self.workers[i], no_restart=False)
        self._get([self.workers[i].pid.remote()], STARTUP_TIMEOUT)

    def close(self):
        import ray

        for w in self.workers:
            ray.kill(w, no_restart=True)
        self.workers = []


class RayCollector:
    """`Collector`'s members that the trainer uses (`collect`, `rollouts`, `set_opponents`), for a
    RayVecEnv. `timings` holds the last update's broadcast and gather seconds, lost workers and nodes used."""

    def __init__(self, vec: RayVecEnv, policies: dict, T: int, device):
        self.vec, self.policies, self.device = vec, policies, device
        self.rollouts = {name: TeamRollout(p, T, vec.num_envs, vec.spec.state_dim, device)
                         for name, p in policies.items()}
        self.opponents: dict = {}
        self.timings: dict[str, float] = {}

    def set_opponents(self, opponents: dict):
        self.opponents = opponents

    def collect(self) -> list[dict]:
        import ray

        start = time.perf_counter()
        restart = self.vec.restart()
        weights = ray.put({team: _numpy_state(p) for team, p in self.policies.items()})
        played = {team: (ray.put(_numpy_state(p)), rows.cpu().numpy()) for team, (p, rows) in self.opponents.items()}
        refs = []
        for i, (worker, envs) in enumerate(zip(self.vec.workers, self.vec.blocks)):
            mine = {}
            for team, (state, rows) in played.items():
                n = self.policies[team].n_agents
                mine[team] = (state, rows[envs.start * n:envs.stop * n])
            rng = torch.get_rng_state().numpy() if i == 0 else None
            refs.append(worker.collect.remote(weights, mine, rng, restart))
        broadcast = time.perf_counter() - start
        ready, pending = ray.wait(refs, num_returns=len(refs), timeout=COLLECT_TIMEOUT)
        results = []
        for i, ref in enumerate(refs):
            try:
                results.append(ray.get(ref) if ref in ready else None)
            except ray.exceptions.RayActorError:
                results.append(None)
            if results[-1] is None:
                self.vec.lost(i)
        if all(r is None for r in results):
            raise RuntimeError("every Ray rollout worker was lost in this update")
        episodes = self._merge(results)
        self.timings = {"ray/broadcast_s": broadcast, "ray/gather_s": time.perf_counter() - start - broadcast,
                        "ray/workers_lost": float(sum(r is None for r in results)),
                        "ray/nodes": float(len({r["node"] for r in results if r}))}
        return episodes

    def _merge(self, results: list) -> list[dict]:
        episodes = []
        for team, ro in self.rollouts.items():
            n = self.policies[team].n_agents
            for rows, result in zip(self.vec.blocks, results):
                r = slice(rows.start * n, rows.stop * n)
                arrays = result["rollouts"][team] if result else {}
                for name in ROLLOUT_FIELDS:
                    if getattr(ro, name) is not None:
                        _fill(getattr(ro, name), r, arrays.get(name))
                for k, v in ro.actor_in.items():
                    _fill(v, r, arrays.get(f"actor_in/{k}"))
                if ro.critic_in is not ro.actor_in:
                    _fill(ro.critic_in[""], r, arrays.get("critic_in"))
            self._fold_normalizers(team, results)
        for result in results:
            if result:
                episodes += result["episodes"]
        if results[0]:
            torch.set_rng_state(torch.tensor(results[0]["rng"]))
        return episodes

    def _fold_normalizers(self, team: str, results: list):
        """Worker 0's normalisers as they ended (with one worker, the local run's), plus the tallies of
        the others; without worker 0, the learner's plus all tallies."""
        for name, norm in _norms(self.policies[team]).items():
            first = results[0]
            if first:
                for buf, value in zip((norm.mean, norm.var, norm.count), first["norms"][team][name]):
                    buf.copy_(torch.tensor(value))
            for result in results[1:] if first else results:
                if result:
                    mean, var, count = result["tallies"][team][name]
                    if count > 0:
                        norm.merge(torch.tensor(mean), torch.tensor(var), count)


def _fill(dst: torch.Tensor, rows: slice, src):
    """A worker's block of rows; zeros (masked out) when its rollout was lost."""
    if src is None:
        dst[:, rows] = 0
    else:
        dst[:, rows] = torch.tensor(src, device=dst.device)
