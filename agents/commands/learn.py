"""`arena train` and `arena eval`.

TARGET is a built-in scenario name or a scenario YAML path (the arena), `gym:<Gymnasium id>`, or
`pz:<module>` for a module exposing `parallel_env()`. This CLI layer is the only place of the
learning code that imports `arena`; the env factories below are module-level so that worker
processes can unpickle them."""
from __future__ import annotations

import argparse
import dataclasses
import functools
import importlib
import json
import time
from pathlib import Path

import yaml

from scenarios.errors import InputError

SKIP_FLAGS = ("target", "algo")


def _make_gym(env_id: str, kwargs: dict):
    import gymnasium as gym

    try:
        return gym.make(env_id, **kwargs)
    except gym.error.Error as e:
        raise InputError(f"gym:{env_id}: {e}") from e


def _make_pz(module: str, kwargs: dict):
    try:
        mod = importlib.import_module(module)
    except ImportError as e:
        raise InputError(f"pz:{module}: cannot import the module ({e})") from e
    if not hasattr(mod, "parallel_env"):
        raise InputError(f"pz:{module}: the module has no parallel_env()")
    return mod.parallel_env(**kwargs)


def _make_arena(scenario: str, kwargs: dict):
    import arena

    return arena.parallel_env(scenario=scenario, **kwargs)


def env_factory(target: str, env_kwargs: dict):
    """A picklable zero-argument callable that builds one env for TARGET."""
    if target.startswith("gym:"):
        return functools.partial(_make_gym, target[4:], env_kwargs)
    if target.startswith("pz:"):
        return functools.partial(_make_pz, target[3:], env_kwargs)
    return functools.partial(_make_arena, target, env_kwargs)


def _flag_overrides(args) -> dict:
    from agents.config import FIELDS

    return {name: getattr(args, name) for name in FIELDS if name not in SKIP_FLAGS and getattr(args, name) is not None}


def _default_run_dir(cfg) -> Path:
    slug = cfg.target.split(":")[-1].replace("/", "_").replace(".yaml", "")
    return Path("runs") / f"{slug}-{cfg.algo}-{time.strftime('%Y%m%d-%H%M%S')}"


def run_train(args) -> int:
    from agents import config
    from agents.trainer import Trainer

    if args.resume:
        run_dir = Path(args.resume)
        if not (run_dir / "config.yaml").exists():
            raise InputError(f"--resume {run_dir}: not a run directory (no config.yaml)")
        saved = config.load(run_dir / "config.yaml")
        cfg = config.resolve(saved.algo, ("config.yaml", dataclasses.asdict(saved)), ("flags", _flag_overrides(args)))
        config.save(cfg, run_dir / "config.yaml")
    else:
        from_file = config.read_yaml(args.config) if args.config else {}
        algo = args.algo or from_file.get("algo", "mappo")
        cfg = config.resolve(algo, (str(args.config), from_file), ("flags", _flag_overrides(args)),
                             ("target", {"target": args.target}))
        run_dir = Path(args.run_dir) if args.run_dir else _default_run_dir(cfg)
    trainer = Trainer(cfg, env_factory(cfg.target, cfg.env_kwargs), run_dir, resume=bool(args.resume))
    print(f"training {cfg.algo} on {cfg.target} -> {run_dir}")
    metrics = trainer.train()
    returns = {k: round(v, 3) for k, v in metrics.items() if k.startswith("return/")}
    print(f"done: {trainer.step} steps, mean returns of the last episodes {returns}, "
          f"checkpoint {run_dir / 'checkpoint.pt'}")
    return 0


def run_eval(args) -> int:
    from agents import config
    from agents.trainer import evaluate

    run_dir = Path(args.run_dir)
    if not (run_dir / "config.yaml").exists():
        raise InputError(f"{run_dir}: not a run directory (no config.yaml)")
    if args.episodes < 1:
        raise InputError("--episodes must be at least 1")
    cfg = config.load(run_dir / "config.yaml")
    result = evaluate(run_dir, env_factory(cfg.target, cfg.env_kwargs), args.episodes, not args.stochastic)
    print(json.dumps(result["mean"], indent=2))
    print(f"wrote {run_dir / 'eval.json'}")
    return 0


def _add_config_flags(parser: argparse.ArgumentParser):
    from agents.config import CHOICES, FIELDS

    group = parser.add_argument_group("hyperparameters (override the algorithm's defaults and --config)")
    for name, f in FIELDS.items():
        if name in SKIP_FLAGS:
            continue
        flag = "--" + name.replace("_", "-")
        default = f.default_factory() if f.default is dataclasses.MISSING else f.default
        if isinstance(default, bool):
            group.add_argument(flag, action=argparse.BooleanOptionalAction, default=None)
        elif isinstance(default, list):
            group.add_argument(flag, type=int, nargs="+", default=None, metavar="N")
        elif isinstance(default, dict):
            group.add_argument(flag, type=_yaml_mapping, default=None, metavar="YAML")
        else:
            group.add_argument(flag, type=type(default), default=None, choices=CHOICES.get(name))


def _yaml_mapping(text: str) -> dict:
    value = yaml.safe_load(text)
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError(f"expected a YAML mapping, got {text!r}")
    return value


def register(subparsers):
    from agents.config import ALGOS

    train = subparsers.add_parser("train", help="train teams (MAPPO/IPPO) or a single agent (PPO/TRPO/TNPG)")
    train.add_argument("target", nargs="?", default=None,
                       help="scenario name or YAML path, gym:<id>, or pz:<module> (default: hide_and_seek_quadrant)")
    train.add_argument("--algo", choices=ALGOS, default=None, help="default: mappo")
    train.add_argument("--config", metavar="YAML", help="hyperparameters file")
    train.add_argument("--run-dir", metavar="DIR", help="default: runs/<target>-<algo>-<time>")
    train.add_argument("--resume", metavar="RUN_DIR", help="continue a run from its last checkpoint")
    _add_config_flags(train)
    train.set_defaults(run=run_train)

    ev = subparsers.add_parser("eval", help="play a trained run's policy and write eval.json")
    ev.add_argument("run_dir", metavar="RUN_DIR")
    ev.add_argument("--episodes", type=int, default=10)
    ev.add_argument("--stochastic", action="store_true", help="sample actions instead of the most likely")
    ev.set_defaults(run=run_eval)
