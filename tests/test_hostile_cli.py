"""Hostile command lines and files: each is refused with exit 2 and one `arena: error:` line naming
the flag, file or key, without a traceback, and leaves the run directory it names byte-identical."""
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from agents import config

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "replays" / "examples" / "01_chasing.replay.npz"
FAKE_PZ = "def parallel_env(**kwargs):\n    return 42\n"


def arena(*argv, cwd, pythonpath=""):
    env = {**os.environ, "PYTHONPATH": pythonpath, "SDL_VIDEODRIVER": "dummy"}
    return subprocess.run([sys.executable, "-m", "agents.cli", *argv], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=300)


def tree(root: Path) -> dict:
    return {str(p.relative_to(root)): p.read_bytes() if p.is_file() else None for p in sorted(root.rglob("*"))}


@pytest.fixture
def run(tmp_path):
    """A run directory as `arena train` leaves it; the commands below must fail before they read the checkpoint."""
    run = tmp_path / "run"
    run.mkdir()
    config.save(config.resolve("ppo", ("test", {"target": "gym:CartPole-v1", "hidden": [16]})), run / "config.yaml")
    (run / "checkpoint.pt").write_bytes(b"weights")
    (run / "metrics.jsonl").write_text('{"step": 128}\n')
    return run


def write_files(tmp_path: Path) -> None:
    (tmp_path / "binary.yaml").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "twice.yaml").write_text("lr: 0.001\ngamma: 0.9\nlr: 0.002\n")
    (tmp_path / "notanenv.py").write_text(FAKE_PZ)
    scenes = {"inf_size": "world: {size: .inf}\n", "nan_reward": "task: {kind: hide_and_seek, rewards: {hidden: .nan}}\n",
              "many_rays": "sensors: {lidar_rays: 100000000}\n", "typo": "agent: {hiders: 1}\n",
              "dup_scene": "horizon: 50\nworld: {size: 6}\nhorizon: 60\n", "huge_world": "world: {size: 200000}\n"}
    for name, text in scenes.items():
        (tmp_path / f"{name}.yaml").write_text(text)


def damaged_replay(tmp_path: Path, name: str, meta_edit=None, array_edit=None) -> Path:
    with np.load(EXAMPLE) as npz:
        arrays = {k: npz[k] for k in npz.files}
    meta = json.loads(arrays.pop("meta").tobytes())
    if meta_edit:
        meta_edit(meta)
    if array_edit:
        array_edit(arrays)
    path = tmp_path / f"{name}.replay.npz"
    np.savez_compressed(path, meta=np.frombuffer(json.dumps(meta).encode(), np.uint8), **arrays)
    return path


def _set(where: str, value):
    def edit(meta):
        node = meta
        *parents, last = where.split(".")
        for key in parents:
            node = node[key]
        node[last] = value
    return edit


def _grab_99(arrays):
    arrays["frame/agent_grab"] = arrays["frame/agent_grab"].copy()
    arrays["frame/agent_grab"][3, 0] = 99


def _lock_team_7(arrays):
    arrays["frame/obj_lock"] = arrays["frame/obj_lock"].copy()
    arrays["frame/obj_lock"][5, 0] = 7


REPLAYS = {
    "nan_vision": (_set("static.vision_half_angle", float("nan")), None, "vision_half_angle"),
    "nan_size": (_set("static.size", float("nan")), None, "'size'"),
    "huge_dt": (_set("dt", 1e300), None, "'dt'"),
    "string_version": (_set("format_version", "1"), None, "'format_version'"),
    "grab_99": (None, _grab_99, "agent_grab"),
    "lock_team_7": (None, _lock_team_7, "obj_lock"),
}

CASES = {
    # flags out of range, NaN, inf, wrong types
    "lr_inf": (["train", "gym:CartPole-v1", "--lr", "inf", "--run-dir", "{tmp}/new"], "--lr must be in"),
    "lr_nan": (["train", "gym:CartPole-v1", "--lr", "nan", "--run-dir", "{tmp}/new"], "--lr must be in"),
    "clip_nan": (["train", "gym:CartPole-v1", "--clip-coef", "nan", "--run-dir", "{tmp}/new"], "--clip-coef"),
    "gamma_5": (["train", "gym:CartPole-v1", "--gamma", "5", "--run-dir", "{tmp}/new"], "--gamma must be in [0, 1]"),
    "pool_prob_5": (["train", "gym:CartPole-v1", "--pool-prob", "5", "--run-dir", "{tmp}/new"], "--pool-prob"),
    "hidden_0": (["train", "gym:CartPole-v1", "--hidden", "0", "--run-dir", "{tmp}/new"], "--hidden"),
    "hidden_neg": (["train", "gym:CartPole-v1", "--hidden", "64", "-3", "--run-dir", "{tmp}/new"], "--hidden"),
    "seed_neg": (["train", "gym:CartPole-v1", "--seed", "-1", "--run-dir", "{tmp}/new"], "--seed"),
    "seed_huge": (["train", "gym:CartPole-v1", "--seed", str(2**70), "--run-dir", "{tmp}/new"], "--seed"),
    "steps_typo": (["train", "--stepz", "5"], "did you mean '--steps'"),
    "command_typo": (["trian"], "did you mean 'train'"),
    "algo_typo": (["train", "--algo", "trop"], "did you mean 'trpo'"),
    # files given to train
    "binary_config": (["train", "gym:CartPole-v1", "--config", "{inp}/binary.yaml", "--run-dir", "{tmp}/new"],
                      "binary.yaml"),
    "duplicate_key": (["train", "gym:CartPole-v1", "--config", "{inp}/twice.yaml", "--run-dir", "{tmp}/new"],
                      "twice.yaml:3:1: YAML does not parse: duplicate key 'lr'"),
    "not_a_pz_env": (["train", "pz:notanenv", "--run-dir", "{tmp}/new"], "pz:notanenv"),
    "gate_nosuch": (["train", "--no-recipe", "--curriculum-gate", "nosuch/metric", "--run-dir", "{tmp}/new"],
                    "--curriculum-gate nosuch/metric"),
    "curriculum_out_of_range": (["train", "--no-recipe", "--curriculum", "{{spawn__boxes_at_doors: [0.0, 3.0]}}",
                                 "--run-dir", "{tmp}/new"], "spawn.boxes_at_doors"),
    # a run that exists
    "resume_other_algo": (["train", "--resume", "{run}", "--algo", "trpo"], "--algo trpo"),
    "resume_lr_nan": (["train", "--resume", "{run}", "--lr", "nan"], "--lr"),
    "run_dir_is_a_file": (["train", "gym:CartPole-v1", "--run-dir", "{run}/config.yaml"], "--run-dir"),
    "run_dir_under_a_file": (["train", "gym:CartPole-v1", "--run-dir", "{run}/config.yaml/x"], "is a file"),
    "eval_out_dir": (["eval", "{run}", "--out", "{run}"], "is a directory"),
    "eval_out_under_file": (["eval", "{run}", "--out", "{run}/config.yaml/eval.json"], "is a file"),
    "eval_no_episodes": (["eval", "{run}", "--episodes", "0"], "--episodes"),
    "export_onto_file": (["export", "{run}", "{run}/checkpoint.pt"], "OUT_DIR"),
    "plot_out_dir": (["plot", "{run}", "--out", "{run}"], "is a directory"),
    # scenarios
    "world_inf": (["validate", "{inp}/inf_size.yaml"], "world.size"),
    "reward_nan": (["preview", "{inp}/nan_reward.yaml", "--out", "{tmp}/p.png"], "rewards.hidden"),
    "lidar_rays": (["preview", "{inp}/many_rays.yaml", "--out", "{tmp}/p.png"], "sensors.lidar_rays"),
    "scenario_key_typo": (["validate", "{inp}/typo.yaml"], "did you mean 'agents'"),
    "scenario_duplicate": (["validate", "{inp}/dup_scene.yaml"], "duplicate key 'horizon'"),
    "huge_world": (["bench", "{inp}/huge_world.yaml", "--seconds", "1"], "world.size"),
    "preview_seed_neg": (["preview", "--seed", "-1", "--out", "{tmp}/p.png"], "--seed"),
    "preview_seed_huge": (["preview", "--seed", str(2**70), "--out", "{tmp}/p.png"], "--seed"),
    "preview_size": (["preview", "--size", "200000", "--out", "{tmp}/p.png"], "--size"),
    "preview_out_dir": (["preview", "--out", "{run}"], "--out"),
    "bench_inf": (["bench", "--seconds", "inf"], "--seconds"),
    # replays
    "fps_tiny": (["watch", str(EXAMPLE), "--export", "{tmp}/v.gif", "--fps", "1e-300"], "--fps"),
    "watch_size": (["watch", str(EXAMPLE), "--export", "{tmp}/v.gif", "--size", "200000"], "--size"),
    "export_into_dir": (["watch", str(EXAMPLE), "--export", "{run}"], "--export"),
    "video_dir_file": (["watch", str(EXAMPLE), "--video-dir", "{run}/config.yaml"], "--video-dir"),
    **{f"replay_{name}": (["watch", f"{{inp}}/{name}.replay.npz", "--frame", "0", "--out", "{tmp}/f.png"],
                          f"{name}.replay.npz: ") for name in REPLAYS},
}


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    """The hostile files, written once: {inp} in CASES."""
    folder = tmp_path_factory.mktemp("inputs")
    write_files(folder)
    for name, (meta_edit, array_edit, _) in REPLAYS.items():
        damaged_replay(folder, name, meta_edit, array_edit)
    return folder


@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_input_is_one_clear_line_and_exit_2(case, inputs, run, tmp_path):
    argv, expected = CASES[case]
    before, listing = tree(run), sorted(p.name for p in tmp_path.iterdir())
    result = arena(*(a.format(inp=inputs, tmp=tmp_path, run=run) for a in argv), cwd=tmp_path,
                   pythonpath=str(inputs))
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("arena: error: ") and expected in last, result.stderr
    assert tree(run) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == listing  # nothing half-written beside it


@pytest.mark.parametrize("name", sorted(REPLAYS))
def test_a_damaged_replay_names_its_field(name, tmp_path):
    from replays import format
    from scenarios.errors import InputError

    meta_edit, array_edit, field = REPLAYS[name]
    path = damaged_replay(tmp_path, name, meta_edit, array_edit)
    with pytest.raises(InputError, match=f"^{path}: .*{field}"):
        format.load(path)
    assert format.load(damaged_replay(tmp_path, "intact")).num_frames > 1


def test_bare_arena_prints_help_and_exits_2(tmp_path):
    result = arena(cwd=tmp_path)
    assert result.returncode == 2 and "usage: arena" in result.stdout and "train" in result.stdout
    version = arena("--version", cwd=tmp_path)
    assert version.returncode == 0 and version.stdout.startswith("arena (emergent-arena) ")


def _actions_of(parser):
    import argparse

    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from ((f"{name} {a.dest}", a) for a in sub._actions)


def test_every_flag_and_positional_has_a_description_and_a_default():
    from agents.cli import build_parser

    parser, _ = build_parser()
    described = dict(_actions_of(parser))
    assert len(described) > 80
    lacking = [name for name, a in described.items() if a.dest != "help" and not a.help]
    assert not lacking
    optional = [(name, a) for name, a in described.items() if a.option_strings and a.dest != "help"]
    no_default = [name for name, a in optional if "default" not in a.help and a.const is not True]
    assert not no_default


def test_train_settings_are_grouped_like_sb3_zoo_and_cleanrl():
    from agents.config import FIELDS, GROUPS

    grouped = [name for names in GROUPS.values() for name in names]
    assert sorted(grouped) == sorted(FIELDS) and len(set(grouped)) == len(grouped)
    assert all(f.metadata.get("help") for f in FIELDS.values())
    numbers = [name for name in FIELDS if type(config.default_of(name)) in (int, float, list)]
    assert all("range" in FIELDS[name].metadata for name in numbers)


def test_every_scenario_schema_property_has_a_description():
    import scenarios

    schema = json.loads(scenarios.json_schema())
    models = [schema, *schema["$defs"].values()]
    properties = {f"{m.get('title')}.{key}": prop for m in models for key, prop in m.get("properties", {}).items()}
    assert len(properties) >= 113
    assert [key for key, prop in properties.items() if not prop.get("description")] == []
