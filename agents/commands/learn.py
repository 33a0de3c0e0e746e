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
import difflib
import functools
import hashlib
import importlib
import json
import math
import os
import re
import statistics
import time
from pathlib import Path

import yaml

from agents.commands.argtypes import number, output_dir, output_file
from agents import runfiles
from scenarios.errors import InputError

SKIP_FLAGS = ("target", "algo")
RECIPES = Path(__file__).resolve().parent.parent / "recipes"


def _with_env_kwargs(target: str, make, kwargs: dict):
    """make(**kwargs), where a TypeError means env_kwargs the env does not take: an input error."""
    try:
        return make(**kwargs)
    except TypeError as e:
        if not kwargs:
            raise
        raise InputError(f"{target}: env_kwargs {kwargs} do not fit the env: {e}") from e


def _make_gym(env_id: str, kwargs: dict):
    import gymnasium as gym

    try:
        return _with_env_kwargs(f"gym:{env_id}", functools.partial(gym.make, env_id), kwargs)
    except gym.error.Error as e:
        raise InputError(f"gym:{env_id}: {e}") from e


def _make_pz(module: str, kwargs: dict):
    """`module.parallel_env(**kwargs)`, refused unless it is a PettingZoo ParallelEnv. Importing runs the
    module's code: a run's config.yaml names its module, so evaluating a run from someone else imports it."""
    from pettingzoo import ParallelEnv

    try:
        mod = importlib.import_module(module)
    except ImportError as e:
        raise InputError(f"pz:{module}: cannot import the module ({e})") from e
    if not callable(getattr(mod, "parallel_env", None)):
        raise InputError(f"pz:{module}: not a PettingZoo environment module (it has no parallel_env())")
    env = _with_env_kwargs(f"pz:{module}", mod.parallel_env, kwargs)
    if not isinstance(env, ParallelEnv):
        raise InputError(f"pz:{module}: parallel_env() returned a {type(env).__name__}, not a PettingZoo ParallelEnv")
    return env


def _make_arena(scenario: str, kwargs: dict, flat: bool = False):
    import arena

    return arena.parallel_env(scenario=scenario, flat_observations=flat, **kwargs)


def is_arena(target: str) -> bool:
    return not target.startswith(("gym:", "pz:"))


def record_wrapper(env, path: Path, meta: dict):
    """The trainer's record hook: RecordEpisodes writes `<path.name>_<n>.replay.npz` into path.parent."""
    from replays import RecordEpisodes

    return RecordEpisodes(env, path.parent, meta_extra=meta, prefix=path.name)


def highlight_frames(path: Path):
    """A recorded highlight's frames and frame rate, for TensorBoard."""
    from replays import export, format

    replay = format.load(path)
    return export.frames(replay, title=path.stem), 1.0 / replay.meta["dt"]


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


METRIC_FAMILIES = ("episode", "stage", "return", "return_with", "return_without", "curriculum", "hider", "seeker")


def check_curriculum(cfg) -> None:
    """Before training an arena target: every curriculum stage's env options make a scenario that
    resets with the run's spaces, and the gate is a metric the run logs (one episode shows its
    `episode/*` statistics; numbered ones such as fort_prep_doors_2 count by their stem)."""
    import numpy as np

    import arena
    from agents.curriculum import Curriculum
    from arena.stages import STAGES

    env = arena.parallel_env(cfg.target, **cfg.env_kwargs)
    curriculum = Curriculum(cfg)
    for stage in range(cfg.curriculum_stages + 1 if cfg.curriculum else 1):
        curriculum.stage = stage
        try:
            env.reset(seed=cfg.seed, options={"overrides": curriculum.values()} if cfg.curriculum else None)
        except InputError as e:
            raise InputError(f"curriculum stage {stage} ({curriculum.values()}): {e}") from None
    gate = cfg.curriculum_gate
    if not gate:
        return
    family, _, name = gate.partition("/")
    if family not in METRIC_FAMILIES or not name:
        raise InputError(f"--curriculum-gate {gate}: not a metric this run logs; use "
                         f"{', '.join(f + '/<name>' for f in METRIC_FAMILIES)}")
    known = {"stage": set(STAGES)}.get(family)
    if family == "episode":
        infos = {}
        while env.agents:
            _, _, _, _, infos = env.step({a: np.zeros(5, np.int64) for a in env.agents})
        from arena import STATS_INFO_KEY

        known = set(next(iter(infos.values()))[STATS_INFO_KEY])
        name = re.sub(r"_\d+$", "", name) if name not in known else name
        known |= {re.sub(r"_\d+$", "", k) for k in known}
    if known is not None and name not in known:
        close = difflib.get_close_matches(name, sorted(known), n=1)
        raise InputError(f"--curriculum-gate {gate}: {cfg.target} logs no such {family} metric"
                         + (f"; did you mean '{family}/{close[0]}'?" if close else f" ({', '.join(sorted(known))})"))


def _flag_overrides(args) -> dict:
    from agents.config import FIELDS

    return {name: getattr(args, name) for name in FIELDS if name not in SKIP_FLAGS and getattr(args, name) is not None}


def _default_run_dir(cfg) -> Path:
    slug = cfg.target.split(":")[-1].replace("/", "_").replace(".yaml", "")
    return Path("runs") / f"{slug}-{cfg.algo}-{time.strftime('%Y%m%d-%H%M%S')}"


def run_train(args) -> int:
    from agents import config

    if args.resume:
        run_dir = Path(args.resume)
        cfg = _resumed_config(args, run_dir)
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
        _check_new_run_dir(run_dir, args.overwrite)
    arena = is_arena(cfg.target)
    if cfg.record_every and not arena:
        raise InputError(f"--record-every: only arena scenarios can be recorded, not {cfg.target}")
    make_env = env_factory(cfg.target, cfg.env_kwargs, flat=cfg.encoder == "mlp")
    if arena:
        announce_compiling(make_env)  # before anything else builds an arena env and compiles in silence
        check_curriculum(cfg)
    else:  # a bad gym id or pz module is refused before the run directory is made
        make_env().close()
    from agents.trainer import Trainer  # torch: only once the flags and files have passed

    trainer = Trainer(cfg, make_env, run_dir, resume=bool(args.resume),
                      record_wrapper=record_wrapper if arena else None,
                      milestones=stages_reached if arena else None)
    if arena:
        trainer.metric_hooks.append(stage_rates)
        trainer.highlight_frames = highlight_frames
    print(f"training {cfg.algo} on {cfg.target} -> {run_dir}")
    metrics = trainer.train()
    returns = {k: round(v, 3) for k, v in metrics.items() if k.startswith("return/")}
    print(f"done: {trainer.step} steps, mean returns of the last episodes {returns}, "
          f"checkpoint {run_dir / 'checkpoint.pt'}")
    return 0


def _resumed_config(args, run_dir: Path):
    """The config a resume continues with: the run's, checked against its checkpoint, with the flags
    given, which may change only what can change mid-run (checkpoints.MIDRUN)."""
    from agents import config
    from agents.checkpoints import MIDRUN
    from agents.trainer import open_run, resolve_device

    if not (run_dir / "config.yaml").exists():
        raise InputError(f"--resume {run_dir}: not a run directory (no config.yaml)")
    others = {"--algo": args.algo, "target": args.target, "--config": args.config, "--run-dir": args.run_dir,
              "--overwrite": args.overwrite or None, "--no-recipe": args.no_recipe or None}
    given = [name if value is True else f"{name} {value}" for name, value in others.items() if value is not None]
    if given:
        raise InputError(f"--resume continues the run as it was configured; {', '.join(given)} cannot be given "
                         f"with it (flags that may change: {', '.join('--' + k.replace('_', '-') for k in MIDRUN)})")
    flags = _flag_overrides(args)
    config.resolve(config.Config.algo, ("flags", flags))  # bad values are named before any file is read
    saved = open_run(run_dir).cfg
    fixed = {k: v for k, v in flags.items() if k not in MIDRUN and v != getattr(saved, k)}
    if fixed:
        shown = "; ".join(f"--{k.replace('_', '-')} (the run has {getattr(saved, k)!r})" for k in fixed)
        raise InputError(f"--resume {run_dir}: a resume cannot change {shown}; only "
                         f"{', '.join('--' + k.replace('_', '-') for k in MIDRUN)}")
    cfg = config.resolve(saved.algo, ("config.yaml", dataclasses.asdict(saved)), ("flags", flags))
    resolve_device(cfg.device)
    return cfg


def _check_new_run_dir(run_dir: Path, overwrite: bool) -> None:
    if run_dir.exists() and not run_dir.is_dir():
        raise InputError(f"--run-dir {run_dir}: exists and is not a directory")
    if (run_dir / "config.yaml").exists() or (run_dir / "checkpoint.pt").exists():
        if not overwrite:
            raise InputError(f"--run-dir {run_dir}: holds a run already; --resume {run_dir} continues it, "
                             "--overwrite replaces it")
    elif run_dir.is_dir() and any(run_dir.iterdir()):
        raise InputError(f"--run-dir {run_dir}: is not empty and holds no run; give an empty or new directory")
    probe = run_dir if run_dir.exists() else next(p for p in run_dir.parents if p.exists())
    if not os.access(probe, os.W_OK):
        raise InputError(f"--run-dir {run_dir}: {probe} is not writable")


def _kernels_cached() -> bool:
    import sys

    import arena  # noqa: F401  (imports the modules holding the kernels)
    from numba.core.registry import CPUDispatcher

    kernels = [v for name, module in list(sys.modules.items()) if name.startswith("arena.")
               for v in vars(module).values() if isinstance(v, CPUDispatcher)]
    return all(os.path.exists(k._cache._cache_file._index_path) for k in kernels)


def announce_compiling(make_env) -> None:
    """The arena's numba kernels compile on first use and are cached: say so, once, and how long it took."""
    if _kernels_cached():
        return
    print("compiling the arena's numba kernels (first run only; about 2 minutes)...", flush=True)
    start = time.perf_counter()
    env = make_env()
    env.reset(seed=0)
    env.close()
    print(f"compiled in {time.perf_counter() - start:.0f} s; later runs load them from the cache", flush=True)


def _eval_home(run_dir: Path) -> Path:
    """Where eval writes what --out and --record do not place: beside the checkpoint, unless that is
    inside the installed package or not writable; then into the current directory, as
    `<run name>.eval.json` and `<run name>.eval_replays/`."""
    package = Path(__file__).resolve().parent.parent
    inside = run_dir.resolve().is_relative_to(package)
    if not inside and os.access(run_dir, os.W_OK):
        return run_dir
    why = "is part of the installed package" if inside else "is not writable"
    print(f"{run_dir} {why}: writing into {Path.cwd()} instead (--out FILE, --record DIR to choose)")
    return Path.cwd()


def _eval_path(home: Path, run_dir: Path, name: str) -> Path:
    return home / name if home == run_dir else home / f"{run_dir.name}.{name}"


def run_eval(args) -> int:
    from agents.trainer import evaluate, open_run

    if args.episodes < 1:
        raise InputError("--episodes must be at least 1")
    run = open_run(args.run_dir)
    cfg, run_dir = run.cfg, run.run_dir
    arena = is_arena(cfg.target)
    record_dir = None
    home = run_dir if args.out and args.record != "" else _eval_home(run_dir)
    if args.record is not None:
        if not arena:
            raise InputError(f"--record: only arena scenarios can be recorded, not {cfg.target}")
        record_dir = Path(args.record or _eval_path(home, run_dir, "eval_replays"))
        if record_dir.exists() and not record_dir.is_dir():
            raise InputError(f"--record {record_dir}: exists and is not a directory")
    env_kwargs = {**cfg.env_kwargs, **(args.env_kwargs or {})}
    out = Path(args.out) if args.out else _eval_path(home, run_dir, eval_name(cfg.env_kwargs, env_kwargs))
    if out.is_dir():
        raise InputError(f"--out {out}: is a directory; give a file name such as {out / 'eval.json'}")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise InputError(f"--out {out}: cannot create its directory ({e.strerror})") from e
    before = _replays_in(record_dir)
    make_env = env_factory(cfg.target, env_kwargs, flat=cfg.encoder == "mlp")
    if arena:
        announce_compiling(make_env)
    result = evaluate(run, make_env, args.episodes, not args.stochastic,
                      metric_hooks=[stage_rates, stage_returns] if arena else [],
                      record_wrapper=record_wrapper if record_dir else None, record_dir=record_dir,
                      notes={"env_kwargs": env_kwargs}, seed=args.seed, progress=True)
    if not args.out:
        _keep_other_size(out, args.episodes)
    runfiles.write_json(out, result)
    print(json.dumps(result["mean"], indent=2))
    if any(k.startswith("stage/") for k in result["metrics"]):
        print(stage_table(result["metrics"], result["episodes"]))
    if record_dir:
        from replays.outcome import write_index
        print(f"recorded {len(_replays_in(record_dir) - before)} episode(s) into {record_dir}/ "
              f"(arena watch {record_dir}; which episode showed what: {write_index(record_dir)})")
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
        runfiles.copy_atomic(out, kept)
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


METAVARS = {"init_from": "RUN", "curriculum_gate": "METRIC"}


def _add_config_flags(parser: argparse.ArgumentParser, lead: dict) -> None:
    """One group of flags per `config.GROUPS` entry, each flag with its help, default and range, after
    the flags that `lead[title](group)` adds first. Flags default to None so that only those given
    override the config layers."""
    from agents.config import CHOICES, FIELDS, GROUPS, default_of, default_text

    for title, names in GROUPS.items():
        group = parser.add_argument_group(title)
        lead.get(title, lambda group: None)(group)
        for name in names:
            if name in SKIP_FLAGS:
                continue
            flag, f, default = "--" + name.replace("_", "-"), FIELDS[name], default_of(name)
            bounds = f.metadata.get("range")
            shown = f"{f.metadata['help']} ({default_text(name)}" + (f"; in {bounds})" if bounds else ")")
            if isinstance(default, bool):
                group.add_argument(flag, action=argparse.BooleanOptionalAction, default=None, help=shown)
            elif isinstance(default, list):
                group.add_argument(flag, type=int, nargs="+", default=None, metavar="N", help=shown)
            elif isinstance(default, dict):
                group.add_argument(flag, type=_yaml_mapping, default=None, metavar="YAML", help=shown)
            elif name == "ray":  # --ray alone starts Ray on this machine
                group.add_argument(flag, nargs="?", const="local", default=None, metavar="ADDRESS", help=shown)
            else:
                group.add_argument(flag, type=type(default), default=None, choices=CHOICES.get(name), help=shown,
                                   metavar=None if name in CHOICES else METAVARS.get(name, name.split("_")[-1].upper()))


def _yaml_mapping(text: str) -> dict:
    from scenarios.strict_yaml import load_yaml

    try:
        value = load_yaml(text, "the flag's value")
    except InputError as e:
        raise argparse.ArgumentTypeError(str(e)) from None
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError(f"expected a YAML mapping such as '{{key: value}}', got {text!r}")
    return value


def _what_to_train(group) -> None:
    from agents.config import ALGOS

    group.add_argument("--algo", choices=ALGOS, default=None, help="learning algorithm (default mappo)")
    group.add_argument("--config", metavar="YAML",
                       help="hyperparameters file (default agents/recipes/<scenario>.yaml when the target is "
                            "a built-in scenario that has one)")
    group.add_argument("--no-recipe", action="store_true",
                       help="start from the algorithm's defaults, not the scenario's recipe")


def _where_to_write(group) -> None:
    group.add_argument("--run-dir", metavar="DIR", type=output_dir("--run-dir"),
                       help="where the run is written (default runs/<target>-<algo>-<time>)")
    group.add_argument("--resume", metavar="RUN_DIR", help="continue a run from its last checkpoint (default: a new run)")
    group.add_argument("--overwrite", action="store_true", help="replace the run already in --run-dir (default: refuse)")


def register(subparsers):
    train = subparsers.add_parser(
        "train", help="train teams (MAPPO/IPPO) or a single agent (PPO/TRPO/TNPG)",
        usage="arena train [TARGET] [--algo ALGO] [--config YAML | --no-recipe] [--run-dir DIR | --resume RUN_DIR] "
              "[settings]",
        description="Train on a scenario, a Gymnasium env or a PettingZoo env. Settings come from the "
                    "algorithm's defaults, then the scenario's recipe or --config, then these flags.")
    train.add_argument("target", nargs="?", default=None, metavar="TARGET",
                       help="scenario name or YAML path, gym:<id>, or pz:<module> (default hide_and_seek_quadrant)")
    _add_config_flags(train, {"what to train": _what_to_train, "logging and checkpoints": _where_to_write})
    train.set_defaults(run=run_train)

    ev = subparsers.add_parser("eval", help="play a trained run's policy and write eval.json",
                               description="Play a run's policies (or an exported checkpoint's) for some "
                                           "episodes and write the mean metrics and stage rates as JSON.")
    ev.add_argument("run_dir", metavar="RUN", help="a run directory (of `arena train` or `arena export`) or a checkpoint file")
    ev.add_argument("--episodes", type=number(int, 1, 10**6, "--episodes"), default=10, help="episodes to play (default 10)")
    ev.add_argument("--seed", type=number(int, 0, 2**20 - 1, "--seed"), default=0,
                    help="evaluation set: 0 validation, others test; never a training seed (default 0)")
    ev.add_argument("--stochastic", action="store_true",
                    help="sample actions instead of taking the most likely (default: most likely)")
    ev.add_argument("--record", nargs="?", const="", default=None, metavar="DIR",
                    help="record every episode as a replay into DIR (default RUN_DIR/eval_replays; off without "
                         "the flag)")
    ev.add_argument("--env-kwargs", type=_yaml_mapping, metavar="YAML",
                    help="env options over the run's own, e.g. '{spawn__boxes_at_doors: 1.0}' to play at a "
                         "curriculum stage (default: the run's own)")
    ev.add_argument("--out", metavar="FILE", type=output_file("--out"),
                    help="where to write the metrics JSON (default RUN_DIR/eval.json, or "
                         "RUN_DIR/eval_KEY=VALUE.json with --env-kwargs; an eval there over another number of "
                         "episodes is moved aside to eval.<N>ep.json)")
    ev.set_defaults(run=run_eval)

    ex = subparsers.add_parser("export", help="copy a run's config and policies (no optimiser state) to ship them",
                               description="Write a slim copy of a run (config and policy weights) that "
                                           "`arena eval` can play and `--init-from` can start from.")
    ex.add_argument("run_dir", metavar="RUN_DIR", help="the run to export")
    ex.add_argument("out_dir", metavar="OUT_DIR", type=output_dir("OUT_DIR"),
                    help="the directory to write (created if missing)")
    ex.add_argument("--overwrite", action="store_true", help="replace a run already in OUT_DIR (default: refuse)")
    ex.set_defaults(run=run_export)


def run_export(args) -> int:
    from agents.trainer import export_policies

    path = export_policies(args.run_dir, args.out_dir, overwrite=args.overwrite)
    print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB); play it with: arena eval {args.out_dir}")
    return 0
