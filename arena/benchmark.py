"""Throughput of the environment beside the bare physics of the same world, measured in one run
(the machine is shared and noisy: compare the ratios, not the absolute figures)."""
from __future__ import annotations

import importlib.util
import os
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

import arena
from arena.mechanics import ACTION_NVEC, motor


def _pin_one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def env_steps_per_second(scenario: str, seconds: float) -> float:
    """Random actions through `ParallelEnv.step`, resets included."""
    env = arena.parallel_env(scenario)
    env.reset(seed=0)
    actions = np.random.default_rng(0).integers(0, ACTION_NVEC, size=(1024, len(env.possible_agents), 5))
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        if not env.agents:
            env.reset()
        row = actions[steps % len(actions)]
        env.step({a: row[i] for i, a in enumerate(env.agents)})
        steps += 1
    return steps / (time.perf_counter() - start)


def physics_steps_per_second(scenario: str, seconds: float) -> float:
    """Only `World.step` (force writes and pymunk substeps) of a world built from the same scenario."""
    env = arena.parallel_env(scenario)
    env.reset(seed=0)
    world = env.world
    actions = np.random.default_rng(0).integers(0, ACTION_NVEC, size=(1024, world.n_agents, 5))
    no_one_frozen = np.zeros(world.n_agents, dtype=bool)
    commands = [motor(a, env.scenario, no_one_frozen) for a in actions]
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        world.step(*commands[steps % len(commands)])
        steps += 1
    return steps / (time.perf_counter() - start)


def yardstick_steps_per_second(path: Path, seconds: float) -> float:
    spec = importlib.util.spec_from_file_location("yardstick", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.steps_per_second(seconds)


def report(scenario: str, seconds: float, yardstick: Path | None = None,
           trainer_rate: Callable[[Callable, float], float] | None = None) -> str:
    """`trainer_rate(make_env, seconds)`: env-steps/s of the learners' path (agents.envs.steps_per_second),
    passed in because arena does not import the learners."""
    _pin_one_core()
    env_rate = env_steps_per_second(scenario, seconds)
    physics_rate = physics_steps_per_second(scenario, seconds)
    agents = len(arena.parallel_env(scenario).possible_agents)
    lines = [f"scenario {scenario}, one core, random actions",
             f"  env through the PettingZoo API : {env_rate:10,.0f} env-steps/s ({env_rate * agents:,.0f} agent-steps/s)",
             f"  bare physics substeps          : {physics_rate:10,.0f} steps/s",
             f"  env cost / physics cost        : {physics_rate / env_rate:10.2f}x"]
    if trainer_rate is not None:
        team_rate = trainer_rate(lambda: arena.parallel_env(scenario, flat_observations=True), seconds)
        lines += [f"  env through the trainer's TeamEnv: {team_rate:8,.0f} env-steps/s (flat observations, state)",
                  f"  trainer-path cost / physics cost: {physics_rate / team_rate:9.2f}x"]
    if yardstick is not None:
        naive = yardstick_steps_per_second(yardstick, seconds)
        lines.append(f"  naive yardstick ({yardstick.name}): {naive:,.0f} env-steps/s; ours is {env_rate / naive:.2f}x")
        if trainer_rate is not None:
            lines.append(f"  trainer path / yardstick        : {team_rate / naive:9.2f}x")
    return "\n".join(lines)
