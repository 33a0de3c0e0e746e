"""Many environments stepped at once, behind one small interface.

A vectorised env owns `arrays`: for every name of `envs.array_layout` one numpy array with a
leading env axis. The learner writes `action/*`, calls `step()`, and reads the rest. Two backends:
`InProcessVecEnv` (plain loop, for 1 env or debugging) and `ProcessVecEnv` (worker processes that
write straight into shared memory, so only a short message crosses the pipe per step); both are the
default, on one machine. The distributed backend, `agents.ray_vec.RayVecEnv` (`--ray`), shares the
members the trainer uses: `spec`, `num_envs`, `reset(seed, stride)`, `close()` and
`set_reset_options(options)`, the `options` every later env reset receives; it has no `arrays` or
`step()`, as its workers collect whole rollouts (`agents.ray_vec.RayCollector` replaces the
`buffer.Collector` that reads `arrays`).

Stepping in groups (double buffering): `groups` is a tuple of contiguous env ranges covering all envs
(one range unless more were asked for). `step_async(g)` starts stepping the envs of group g and
returns at once; `step_wait(g)` waits for them. While a group steps, the learner may read and write
the rows of the other groups, never its own. Waits come in the order of the starts, and `step()`
(all envs at once) only when no group is stepping. `step()` and `step_wait(g)` return the statistics
of the episodes that ended, in env order.
"""
from __future__ import annotations

import multiprocessing as mp
import os
import sys
import time
import traceback
from multiprocessing import shared_memory

import numpy as np

from agents.envs import EnvSpec, TeamEnv, array_layout, as_parallel, describe


def _views(buf, layout: dict, n_envs: int) -> dict[str, np.ndarray]:
    arrays, offset = {}, 0
    for name, (shape, dtype) in layout.items():
        full = (n_envs, *shape)
        arrays[name] = np.ndarray(full, dtype=dtype, buffer=buf, offset=offset)
        offset += int(np.prod(full)) * np.dtype(dtype).itemsize
    return arrays


def _nbytes(layout: dict, n_envs: int) -> int:
    return sum(n_envs * int(np.prod(s)) * np.dtype(d).itemsize for s, d in layout.values())


def _make_team_envs(make_env, spec, arrays, rows, flatten):
    return [TeamEnv(as_parallel(make_env()), spec, {k: v[r] for k, v in arrays.items()}, flatten)
            for r in rows]


def split_groups(n_envs: int, groups: int) -> tuple[range, ...]:
    """`groups` contiguous env ranges of (nearly) equal size; at most one env per group."""
    return tuple(range(int(part[0]), int(part[-1]) + 1)
                 for part in np.array_split(np.arange(n_envs), max(1, min(groups, n_envs))))


class _Order:
    """Bookkeeping of the groups being stepped, which must be waited for in the order started."""

    def __init__(self):
        self.stepping: list[int] = []

    def start(self, g: int):
        if g in self.stepping:
            raise RuntimeError(f"step_async({g}): group {g} is already stepping")
        self.stepping.append(g)

    def wait(self, g: int):
        if not self.stepping or self.stepping[0] != g:
            raise RuntimeError(f"step_wait({g}): the groups stepping, oldest first, are {self.stepping}")
        self.stepping.pop(0)

    def check_idle(self, what: str):
        if self.stepping:
            raise RuntimeError(f"{what}: groups {self.stepping} are still stepping; wait for them first")


class InProcessVecEnv:
    """Steps the envs in this process; `step_async` steps a group at once and `step_wait` hands out
    what it returned (no overlap, the same results)."""

    def __init__(self, make_env, n_envs: int, spec: EnvSpec, flatten: bool, groups: int = 1):
        self.spec, self.num_envs = spec, n_envs
        layout = array_layout(spec)
        self.arrays = _views(bytearray(_nbytes(layout, n_envs)), layout, n_envs)
        self.envs = _make_team_envs(make_env, spec, self.arrays, range(n_envs), flatten)
        self.groups = split_groups(n_envs, groups)
        self._order, self._done = _Order(), {}

    def reset(self, seed: int, stride: int = 0):
        self._order.check_idle("reset")
        for i, env in enumerate(self.envs):
            env.reset(seed + i, stride)

    def step(self) -> list[dict]:
        self._order.check_idle("step")
        return [info for env in self.envs for info in env.step()]

    def step_async(self, g: int):
        self._order.start(g)
        self._done[g] = [info for i in self.groups[g] for info in self.envs[i].step()]

    def step_wait(self, g: int) -> list[dict]:
        self._order.wait(g)
        return self._done.pop(g)

    def set_reset_options(self, options: dict | None):
        self._order.check_idle("set_reset_options")
        for env in self.envs:
            env.reset_options = options

    def close(self):
        for env in self.envs:
            env.env.close()


def _worker(pipe, make_env, spec, shm_name, layout, n_envs, rows, flatten, group_of):
    """Steps the envs of `rows`: all of them for ("step", None), those with `group_of[i] == g` for
    ("step", g); replies with the (row, statistics) of the episodes that ended."""
    os.environ["OMP_NUM_THREADS"] = "1"  # if the env uses torch, one thread each leaves the cores to us
    shm = shared_memory.SharedMemory(name=shm_name)
    envs = []
    try:
        envs = _make_team_envs(make_env, spec, _views(shm.buf, layout, n_envs), rows, flatten)
        if "torch" in sys.modules:
            sys.modules["torch"].set_num_threads(1)
        members = {g: [(r, env) for r, env, of in zip(rows, envs, group_of) if of == g] for g in set(group_of)}
        members[None] = list(zip(rows, envs))
        pipe.send(("ok", None))
        while True:
            cmd, arg = pipe.recv()
            if cmd == "step":
                pipe.send(("ok", [(r, info) for r, env in members[arg] for info in env.step()]))
            elif cmd == "reset":
                seed, stride = arg
                for r, env in zip(rows, envs):
                    env.reset(seed + r, stride)
                pipe.send(("ok", None))
            elif cmd == "options":
                for env in envs:
                    env.reset_options = arg
                pipe.send(("ok", None))
            else:
                break
        for env in envs:
            env.env.close()
    except Exception:
        pipe.send(("error", traceback.format_exc()))
    finally:
        del envs  # release the views before the shared block
        shm.close()


def _in_env_order(replies: list[list[tuple[int, dict]]]) -> list[dict]:
    return [info for _, info in sorted((pair for reply in replies for pair in reply), key=lambda p: p[0])]


class ProcessVecEnv:
    """Each group's envs are spread evenly over the workers, so that every group keeps them all busy."""

    def __init__(self, make_env, n_envs: int, spec: EnvSpec, flatten: bool, workers: int,
                 start_method: str = "forkserver", groups: int = 1):
        self.spec, self.num_envs = spec, n_envs
        self.groups = split_groups(n_envs, groups)
        self._order = _Order()
        layout = array_layout(spec)
        self.shm = shared_memory.SharedMemory(create=True, size=max(1, _nbytes(layout, n_envs)))
        self.arrays = _views(self.shm.buf, layout, n_envs)
        ctx = mp.get_context(start_method)
        self.pipes, self.procs = [], []
        shares = [np.array_split(np.asarray(group), workers) for group in self.groups]  # [group][worker]
        self._stepping_pipes = [[p for p, share in enumerate(parts) if len(share)] for parts in shares]
        try:
            for w in range(workers):
                rows = [int(r) for parts in shares for r in parts[w]]
                group_of = [g for g, parts in enumerate(shares) for _ in parts[w]]
                parent, child = ctx.Pipe()
                args = (child, make_env, spec, self.shm.name, layout, n_envs, rows, flatten, group_of)
                proc = ctx.Process(target=_worker, args=args, daemon=True)
                self.pipes.append(parent)
                self.procs.append(proc)
                proc.start()
                child.close()
        except Exception:
            self.close()
            raise
        self._gather()

    def _gather(self, pipes=None) -> list:
        out = []
        for pipe in self.pipes if pipes is None else pipes:
            try:
                status, payload = pipe.recv()
            except EOFError:
                status, payload = "error", "the worker process exited"
            if status == "error":
                self.close()
                raise RuntimeError(f"environment worker failed:\n{payload}")
            out.append(payload)
        return out

    def reset(self, seed: int, stride: int = 0):
        self._order.check_idle("reset")
        for pipe in self.pipes:
            pipe.send(("reset", (seed, stride)))
        self._gather()

    def step(self) -> list[dict]:
        self._order.check_idle("step")
        for pipe in self.pipes:
            pipe.send(("step", None))
        return _in_env_order(self._gather())

    def step_async(self, g: int):
        self._order.start(g)
        for p in self._stepping_pipes[g]:
            self.pipes[p].send(("step", g))

    def step_wait(self, g: int) -> list[dict]:
        self._order.wait(g)
        return _in_env_order(self._gather([self.pipes[p] for p in self._stepping_pipes[g]]))

    def set_reset_options(self, options: dict | None):
        self._order.check_idle("set_reset_options")
        for pipe in self.pipes:
            pipe.send(("options", options))
        self._gather()

    def close(self):
        for pipe, proc in zip(self.pipes, self.procs):
            try:
                pipe.send(("close", None))
            except (BrokenPipeError, OSError):
                pass
            if proc.pid is not None:
                proc.join(timeout=5)
            if proc.is_alive():
                proc.terminate()
        self.pipes, self.procs = [], []
        self.arrays = {}
        self.shm.close()
        try:
            self.shm.unlink()
        except FileNotFoundError:  # already gone when a worker died on an error: nothing left to release
            pass


IPC_SECONDS = 3e-4  # about what one round trip to the workers costs per step


def _seconds_per_step(env, steps: int = 20) -> float:
    """Mean wall time of an env step with random actions (resets excluded)."""
    env.reset(seed=0)
    total = 0.0
    for _ in range(steps):
        if not env.agents:
            env.reset()
        actions = {a: env.action_space(a).sample() for a in env.agents}
        start = time.perf_counter()
        env.step(actions)
        total += time.perf_counter() - start
    return total / steps


def make_vec_env(make_env, n_envs: int, workers: int = 0, flatten: bool = False, use_state: bool = True,
                 groups: int = 1):
    """`workers=0` (auto) uses one worker process per core, unless the envs are so cheap that stepping
    them all in-process costs less than a round trip to the workers; 1 worker runs in-process.
    `flatten` turns Dict observations into one Box; `use_state` provides env.state() (when it exists);
    `groups` splits the envs into that many groups for `step_async` / `step_wait`."""
    probe = as_parallel(make_env())
    spec = describe(probe, flatten, use_state)
    if not workers:
        cores = min(n_envs, os.cpu_count() or 1)
        workers = cores if n_envs * _seconds_per_step(probe) * (1 - 1 / cores) > IPC_SECONDS else 1
    probe.close()
    if n_envs == 1 or workers <= 1:
        return InProcessVecEnv(make_env, n_envs, spec, flatten, groups)
    return ProcessVecEnv(make_env, n_envs, spec, flatten, min(workers, n_envs), groups=groups)
