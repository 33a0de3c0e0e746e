"""Many environments stepped at once, behind one small interface.

A vectorised env owns `arrays`: for every name of `envs.array_layout` one numpy array with a
leading env axis. The learner writes `action/*`, calls `step()`, and reads the rest. Two backends:
`InProcessVecEnv` (plain loop, for 1 env or debugging) and `ProcessVecEnv` (worker processes that
write straight into shared memory, so only a short message crosses the pipe per step). A distributed
backend only has to provide the same members: `spec`, `arrays`, `reset(seed)`, `step()`, `close()`, and
`set_reset_options(options)`, the `options` every later env reset receives.
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


class InProcessVecEnv:
    def __init__(self, make_env, n_envs: int, spec: EnvSpec, flatten: bool):
        self.spec, self.num_envs = spec, n_envs
        layout = array_layout(spec)
        self.arrays = _views(bytearray(_nbytes(layout, n_envs)), layout, n_envs)
        self.envs = _make_team_envs(make_env, spec, self.arrays, range(n_envs), flatten)

    def reset(self, seed: int):
        for i, env in enumerate(self.envs):
            env.reset(seed + i)

    def step(self) -> list[dict]:
        return [info for env in self.envs for info in env.step()]

    def set_reset_options(self, options: dict | None):
        for env in self.envs:
            env.reset_options = options

    def close(self):
        for env in self.envs:
            env.env.close()


def _worker(pipe, make_env, spec, shm_name, layout, n_envs, rows, flatten):
    os.environ["OMP_NUM_THREADS"] = "1"  # if the env uses torch, one thread each leaves the cores to us
    shm = shared_memory.SharedMemory(name=shm_name)
    envs = []
    try:
        envs = _make_team_envs(make_env, spec, _views(shm.buf, layout, n_envs), rows, flatten)
        if "torch" in sys.modules:
            sys.modules["torch"].set_num_threads(1)
        pipe.send(("ok", None))
        while True:
            cmd, arg = pipe.recv()
            if cmd == "step":
                pipe.send(("ok", [info for env in envs for info in env.step()]))
            elif cmd == "reset":
                for r, env in zip(rows, envs):
                    env.reset(arg + r)
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


class ProcessVecEnv:
    def __init__(self, make_env, n_envs: int, spec: EnvSpec, flatten: bool, workers: int,
                 start_method: str = "forkserver"):
        self.spec, self.num_envs = spec, n_envs
        layout = array_layout(spec)
        self.shm = shared_memory.SharedMemory(create=True, size=max(1, _nbytes(layout, n_envs)))
        self.arrays = _views(self.shm.buf, layout, n_envs)
        ctx = mp.get_context(start_method)
        self.pipes, self.procs = [], []
        try:
            for rows in np.array_split(np.arange(n_envs), workers):
                parent, child = ctx.Pipe()
                args = (child, make_env, spec, self.shm.name, layout, n_envs, [int(r) for r in rows], flatten)
                proc = ctx.Process(target=_worker, args=args, daemon=True)
                self.pipes.append(parent)
                self.procs.append(proc)
                proc.start()
                child.close()
        except Exception:
            self.close()
            raise
        self._gather()

    def _gather(self) -> list:
        out = []
        for pipe in self.pipes:
            try:
                status, payload = pipe.recv()
            except EOFError:
                status, payload = "error", "the worker process exited"
            if status == "error":
                self.close()
                raise RuntimeError(f"environment worker failed:\n{payload}")
            out.append(payload)
        return out

    def reset(self, seed: int):
        for pipe in self.pipes:
            pipe.send(("reset", seed))
        self._gather()

    def step(self) -> list[dict]:
        for pipe in self.pipes:
            pipe.send(("step", None))
        return [info for infos in self._gather() for info in infos]

    def set_reset_options(self, options: dict | None):
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
        self.shm.unlink()


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


def make_vec_env(make_env, n_envs: int, workers: int = 0, flatten: bool = False, use_state: bool = True):
    """`workers=0` (auto) uses one worker process per core, unless the envs are so cheap that stepping
    them all in-process costs less than a round trip to the workers; 1 worker runs in-process.
    `flatten` turns Dict observations into one Box; `use_state` provides env.state() (when it exists)."""
    probe = as_parallel(make_env())
    spec = describe(probe, flatten, use_state)
    if not workers:
        cores = min(n_envs, os.cpu_count() or 1)
        workers = cores if n_envs * _seconds_per_step(probe) * (1 - 1 / cores) > IPC_SECONDS else 1
    probe.close()
    if n_envs == 1 or workers <= 1:
        return InProcessVecEnv(make_env, n_envs, spec, flatten)
    return ProcessVecEnv(make_env, n_envs, spec, flatten, min(workers, n_envs))
