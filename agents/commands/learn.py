"""`arena train` and `arena eval`.

TARGET is a built-in scenario name or a scenario YAML path (the arena), `gym:<Gymnasium id>`, or
`pz:<module>` for a module exposing `parallel_env()`. This CLI layer is the only place of the
learning code that imports `arena` and `replays`; the env factories below are module-level so that
worker processes can unpickle them. For arena targets it gives the trainer the replay recorder, the
emergence-stage rates (`stage/*` metrics) and the stages as milestones (stages.json, highlights/),
and a built-in scenario with a recipe in agents/recipes/<name>.yaml trains with it by default."""
from __future__ import annotations

import argparse
import dataclasses
import functools
import hashlib
import importlib
import json
import math
import re
import statistics
import time
from pathlib import Path

import yaml

from scenarios.errors import InputError

SKIP_FLAGS = ("target", "algo")
RECIPES = Path(__file__).resolve().parent.parent / "recipes"


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


def _make_arena(scenario: str, kwargs: dict, flat: bool = False):
    import arena

    return arena.parallel_env(scenario=scenario, flat_observations=flat, **kwargs)


def is_arena(target: str) -> bool:
    return not target.startswith(("gym:", "pz:"))


def record_wrapper(env, path: Path, meta: dict):
    """The trainer's record hook: RecordEpisodes writes `<path.name>_<n>.replay.npz` into path.parent."""
    from replays import RecordEpisodes

    return RecordEpisodes(env, path.parent, meta_extra=meta, prefix=path.name)


def _unprefixed(episode: dict) -> dict:
    return {k.removeprefix("episode/"): v for k, v in episode.items() if k.startswith("episode/")}


def stage_rates(episodes: list[dict]) -> dict:
    """`stage/<name>`: share of the episodes showing each emergence stage (arena.stages)."""
    from arena import stages

    return stages.rates(map(_unprefixed, episodes))


def stages_reached(episode: dict) -> dict:
    from arena import stages

    return stages.reached(_unprefixed(episode))


def stage_returns(episodes: list[dict]) -> dict:
    """`return_with/<stage>/<team>` and `return_without/...`: each team's mean return over the episodes
    that show, and that do not show, each stage: what a stage is worth to a team. A key is left out
    when no episode falls on its side."""
    shown = [(stages_reached(e), e) for e in episodes]
    teams = sorted({k.removeprefix("return/") for e in episodes for k in e if k.startswith("return/")})
    out = {}
    for stage in dict.fromkeys(name for reached, _ in shown for name in reached):
        for side, wanted in (("return_with", True), ("return_without", False)):
            group = [e for reached, e in shown if reached and reached[stage] is wanted]
            if group:
                out.update({f"{side}/{stage}/{team}": statistics.fmean(e[f"return/{team}"] for e in group)
                            for team in teams})
    return out


def default_recipe(target: str) -> Path | None:
    """agents/recipes/<target>.yaml, when TARGET is a built-in scenario that has one."""
    import scenarios

    recipe = RECIPES / f"{target}.yaml"
    return recipe if target in scenarios.names() and recipe.is_file() else None


def env_factory(target: str, env_kwargs: dict, flat: bool = False):
    """A picklable zero-argument callable that builds one env for TARGET. `flat` (for the MLP encoder):
    an arena env then hands out its observations flattened, which is faster than flattening them here."""
    if target.startswith("gym:"):
        return functools.partial(_make_gym, target[4:], env_kwargs)
    if target.startswith("pz:"):
        return functools.partial(_make_pz, target[3:], env_kwargs)
    return functools.partial(_make_arena, target, env_kwargs, flat)


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
        if args.config and args.no_recipe:
            raise InputError("--config and --no-recipe: give one of them")
        recipe = args.config
        if not args.config and not args.no_recipe:
            recipe = default_recipe(args.target or config.Config.target)
            if recipe:
                print(f"using the recipe {recipe} (--config FILE or --no-recipe to change; flags override it)")
        from_file = config.read_yaml(recipe) if recipe else {}
        algo = args.algo or from_file.get("algo", "mappo")
        source = str(recipe) if args.config else f"the recipe {recipe} (--no-recipe leaves it out)"
        cfg = config.resolve(algo, (source, {**from_file, "algo": algo}), ("flags", _flag_overrides(args)),
                             ("target", {"target": args.target}))
        run_dir = Path(args.run_dir) if args.run_dir else _default_run_dir(cfg)
    arena = is_arena(cfg.target)
    if cfg.record_every and not arena:
        raise InputError(f"--record-every: only arena scenarios can be recorded, not {cfg.target}")
    make_env = env_factory(cfg.target, cfg.env_kwargs, flat=cfg.encoder == "mlp")
    trainer = Trainer(cfg, make_env, run_dir, resume=bool(args.resume),
                      record_wrapper=record_wrapper if arena else None,
                      milestones=stages_reached if arena else None)
    if arena:
        trainer.metric_hooks.append(stage_rates)
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
    arena = is_arena(cfg.target)
    record_dir = None
    if args.record is not None:
        if not arena:
            raise InputError(f"--record: only arena scenarios can be recorded, not {cfg.target}")
        record_dir = Path(args.record or run_dir / "eval_replays")
        if record_dir.exists() and not record_dir.is_dir():
            raise InputError(f"--record {record_dir}: exists and is not a directory")
    env_kwargs = {**cfg.env_kwargs, **(args.env_kwargs or {})}
    out = Path(args.out) if args.out else run_dir / eval_name(cfg.env_kwargs, env_kwargs)
    if out.is_dir():
        raise InputError(f"--out {out}: is a directory; give a file name such as {out / 'eval.json'}")
    out.parent.mkdir(parents=True, exist_ok=True)
    if not args.out:
        _keep_other_size(out, args.episodes)
    before = _replays_in(record_dir)
    make_env = env_factory(cfg.target, env_kwargs, flat=cfg.encoder == "mlp")
    result = evaluate(run_dir, make_env, args.episodes, not args.stochastic,
                      metric_hooks=[stage_rates, stage_returns] if arena else [],
                      record_wrapper=record_wrapper if record_dir else None, record_dir=record_dir,
                      notes={"env_kwargs": env_kwargs}, out=out)
    print(json.dumps(result["mean"], indent=2))
    if any(k.startswith("stage/") for k in result["metrics"]):
        print(stage_table(result["metrics"], result["episodes"]))
    if record_dir:
        print(f"recorded {len(_replays_in(record_dir) - before)} episode(s) into {record_dir}/ "
              f"(arena watch {record_dir})")
    print(f"wrote {out}")
    return 0


def _keep_other_size(out: Path, episodes: int) -> None:
    """An eval over another number of episodes is not the same figure: move it aside to
    eval.<N>ep.json rather than overwrite it."""
    try:
        previous = json.loads(out.read_text())["episodes"]
    except (OSError, ValueError, KeyError, TypeError):
        return
    if previous != episodes:
        kept = out.with_suffix(f".{previous}ep.json")
        out.replace(kept)
        print(f"kept the previous eval, over {previous} episodes, as {kept}")


def eval_name(own: dict, played: dict) -> str:
    """eval.json for the run's own env options; for others a name of its own that says which, so
    that evaluating at a curriculum stage does not overwrite the run's eval.json."""
    changed = {k: v for k, v in played.items() if k not in own or own[k] != v}
    if not changed:
        return "eval.json"
    slug = "+".join(f"{k}={v}" for k, v in sorted(changed.items()))
    slug = re.sub(r"[^A-Za-z0-9_.=+-]", "", slug)
    if len(slug) > 100:
        slug = hashlib.sha1(slug.encode()).hexdigest()[:12]
    return f"eval_{slug}.json"


def _replays_in(directory: Path | None) -> set[Path]:
    from replays.files import REPLAY_SUFFIX

    return set(directory.glob(f"*{REPLAY_SUFFIX}")) if directory and directory.is_dir() else set()


def stage_table(metrics: dict, episodes: int) -> str:
    """The stage rates of an evaluation (stage_rates), with each team's mean return in the episodes
    with / without the stage (stage_returns)."""
    rates = {k.removeprefix("stage/"): v for k, v in metrics.items() if k.startswith("stage/")}
    rows = [f"emergence stages over {episodes} episode(s):",
            f"  {'stage':<14}{'rate':>6}  {'95% interval':<14}{'episodes':<12}mean return with / without the stage"]
    for name, rate in rates.items():
        hits = round(rate * episodes)
        low, high = wilson_interval(hits, episodes)
        rows.append(f"  {name.replace('_', ' '):<14}{rate:>6.0%}  {f'{low:.0%}-{high:.0%}':<14}"
                    f"{f'{hits} of {episodes}':<12}{_stage_worth(name, metrics)}")
    return "\n".join(rows)


def wilson_interval(hits: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson's score interval for a rate of `hits` in `n` episodes (95 % for z = 1.96): how far
    another evaluation of as many episodes may land."""
    p, shrink = hits / n, 1 + z * z / n
    centre = (p + z * z / (2 * n)) / shrink
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / shrink
    return max(0.0, centre - half), min(1.0, centre + half)


def _stage_worth(stage: str, metrics: dict) -> str:
    teams = sorted({k.rsplit("/", 1)[1] for k in metrics if k.startswith(("return_with/", "return_without/"))})
    sides = [[metrics.get(f"{side}/{stage}/{team}") for side in ("return_with", "return_without")] for team in teams]
    return "  ".join(f"{team} " + " / ".join("-" if v is None else f"{v:.1f}" for v in values)
                     for team, values in zip(teams, sides))


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
        elif name == "ray":  # --ray alone starts Ray on this machine
            group.add_argument(flag, nargs="?", const="local", default=None, metavar="ADDRESS")
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
    train.add_argument("--config", metavar="YAML",
                       help="hyperparameters file (default: agents/recipes/<scenario>.yaml when the target is "
                            "a built-in scenario that has one)")
    train.add_argument("--no-recipe", action="store_true",
                       help="start from the algorithm's defaults, not the scenario's recipe")
    train.add_argument("--run-dir", metavar="DIR", help="default: runs/<target>-<algo>-<time>")
    train.add_argument("--resume", metavar="RUN_DIR", help="continue a run from its last checkpoint")
    _add_config_flags(train)
    train.set_defaults(run=run_train)

    ev = subparsers.add_parser("eval", help="play a trained run's policy and write eval.json")
    ev.add_argument("run_dir", metavar="RUN_DIR")
    ev.add_argument("--episodes", type=int, default=10)
    ev.add_argument("--stochastic", action="store_true", help="sample actions instead of the most likely")
    ev.add_argument("--record", nargs="?", const="", default=None, metavar="DIR",
                    help="record every episode as a replay into DIR (default RUN_DIR/eval_replays)")
    ev.add_argument("--env-kwargs", type=_yaml_mapping, metavar="YAML",
                    help="env options over the run's own, e.g. '{spawn__boxes_at_doors: 1.0}' to play at a "
                         "curriculum stage")
    ev.add_argument("--out", metavar="FILE", help="where to write the metrics JSON (default RUN_DIR/eval.json, or "
                    "RUN_DIR/eval_KEY=VALUE.json with --env-kwargs; an eval there over another number of "
                    "episodes is moved aside to eval.<N>ep.json)")
    ev.set_defaults(run=run_eval)

    ex = subparsers.add_parser("export", help="copy a run's config and policies (no optimiser state) to ship them")
    ex.add_argument("run_dir", metavar="RUN_DIR")
    ex.add_argument("out_dir", metavar="OUT_DIR")
    ex.set_defaults(run=run_export)


def run_export(args) -> int:
    from agents.trainer import export_policies

    path = export_policies(args.run_dir, args.out_dir)
    print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB); play it with: arena eval {args.out_dir}")
    return 0
