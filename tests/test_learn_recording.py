"""`arena train` records episodes into RUN_DIR/replays, `arena eval --record` records every evaluated
episode, both carry stage rates; the files open in `replays` and `arena watch`."""
import json

import pytest

import replays
from agents import config
from agents.cli import main

TINY = ["--steps", "256", "--envs", "2", "--rollout-len", "64", "--minibatches", "2", "--epochs", "1",
        "--hidden", "16", "--workers", "1", "--encoder", "mlp"]
STAGE_KEYS = {"stage/chasing", "stage/fort", "stage/ramp_use", "stage/ramp_defence"}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """Two updates on the default scenario, one episode recorded after each."""
    run = tmp_path_factory.mktemp("learn") / "run"
    assert main(["train", "hide_and_seek_quadrant", "--record-every", "1", "--run-dir", str(run), *TINY]) == 0
    return run


def test_train_records_an_episode_every_record_every_updates(run):
    files = sorted((run / "replays").iterdir())
    assert [f.name for f in files] == ["update_000001_00000.replay.npz", "update_000002_00000.replay.npz"]
    replay = replays.load(files[1])
    assert replay.meta["run"] == str(run) and replay.meta["step"] == 256 and replay.meta["update"] == 2
    assert replay.meta["scenario_name"] == "hide_and_seek_quadrant" and replay.num_frames == 81


def test_every_update_with_episodes_logs_the_stage_rates(run):
    rows = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    with_episodes = [r for r in rows if r["episodes"]]
    assert with_episodes and all(STAGE_KEYS <= r.keys() for r in with_episodes)
    # a share of the update's episodes: a whole number of them
    assert all(0.0 <= r[k] <= 1.0 and (r[k] * r["episodes"]) == pytest.approx(round(r[k] * r["episodes"]))
               for r in with_episodes for k in STAGE_KEYS)
    assert json.loads((run / "stages.json").read_text()) == {}  # nothing showed in most episodes yet


def test_eval_record_writes_one_replay_per_episode_and_a_stage_table(run, tmp_path, capsys):
    assert main(["eval", str(run), "--episodes", "3", "--record"]) == 0
    out = capsys.readouterr().out
    files = sorted((run / "eval_replays").glob("*.replay.npz"))
    assert [f.name for f in files] == [f"episode_{i:05d}.replay.npz" for i in range(3)]
    index = json.loads((run / "eval_replays" / "index.json").read_text())
    assert list(index["episodes"]) == [f.name for f in files] and "index.json" in out
    meta = replays.load(files[0]).meta
    assert meta["run"] == str(run) and meta["step"] == 256 and meta["checkpoint"] == str(run / "checkpoint.pt")
    assert "recorded 3 episode(s)" in out and "emergence stages over 3 episode(s)" in out
    assert all(name in out for name in ("chasing", "fort", "ramp use", "ramp defence"))
    result = json.loads((run / "eval.json").read_text())
    assert STAGE_KEYS <= set(result["metrics"]) and result["episodes"] == 3
    assert {k.split("/")[0] for k in set(result["metrics"]) - STAGE_KEYS} <= {"return_with", "return_without"}
    # a directory of one's choice; a second eval numbers on instead of overwriting
    assert main(["eval", str(run), "--episodes", "1", "--record", str(tmp_path / "mine")]) == 0
    assert main(["eval", str(run), "--episodes", "1", "--record", str(tmp_path / "mine")]) == 0
    assert sorted(p.name for p in (tmp_path / "mine").iterdir()) == ["episode_00000.replay.npz",
                                                                    "episode_00001.replay.npz", "index.json"]
    assert not [p for p in (tmp_path / "mine").iterdir() if p.name.startswith(".")]  # no temporary files left


def test_recorded_eval_plays_the_episodes_of_the_plain_eval(run, tmp_path):
    """Two envs at a time or one after the other: episode n draws the same layout either way."""
    assert main(["eval", str(run), "--episodes", "3", "--out", str(tmp_path / "plain.json")]) == 0
    assert main(["eval", str(run), "--episodes", "3", "--out", str(tmp_path / "recorded.json"),
                 "--record", str(tmp_path / "rec")]) == 0
    plain, recorded = (json.loads((tmp_path / f"{name}.json").read_text()) for name in ("plain", "recorded"))
    assert recorded["mean"] == plain["mean"] and recorded["std"] == plain["std"]
    starts = [replays.load(path).snapshot(0) for path in sorted((tmp_path / "rec").glob("*.replay.npz"))]
    assert len({frame.obj_pos.tobytes() for frame in starts}) == 3   # three layouts, not one


def test_eval_plays_with_env_kwargs_over_the_runs_and_notes_them(run, capsys):
    assert main(["eval", str(run), "--episodes", "2", "--record", "--env-kwargs", "{horizon: 20}"]) == 0
    own = config.load(run / "config.yaml").env_kwargs
    assert json.loads((run / "eval_horizon=20.json").read_text())["env_kwargs"] == {**own, "horizon": 20}
    newest = max((run / "eval_replays").glob("*.replay.npz"))
    assert replays.load(newest).num_frames == 21
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_:
        main(["eval", str(run), "--env-kwargs", "horizon"])
    assert exit_.value.code == 2 and "expected a YAML mapping" in capsys.readouterr().err


def test_eval_with_env_kwargs_leaves_the_runs_eval_json_alone(run):
    before = (run / "eval.json").read_bytes() if (run / "eval.json").exists() else None
    kwargs = "{rules__prep_fraction: 0.5, spawn__boxes_at_doors: 1.0}"
    assert main(["eval", str(run), "--episodes", "1", "--env-kwargs", kwargs]) == 0
    played = run / "eval_rules__prep_fraction=0.5+spawn__boxes_at_doors=1.0.json"
    assert json.loads(played.read_text())["env_kwargs"]["spawn__boxes_at_doors"] == 1.0
    assert ((run / "eval.json").read_bytes() if (run / "eval.json").exists() else None) == before
    own = config.load(run / "config.yaml").env_kwargs
    assert main(["eval", str(run), "--episodes", "1", "--env-kwargs", json.dumps(own)]) == 0
    assert json.loads((run / "eval.json").read_text())["episodes"] == 1  # the run's own options: eval.json


def test_eval_out_writes_the_metrics_elsewhere_and_leaves_the_run_alone(run, tmp_path, capsys):
    before = (run / "eval.json").read_bytes() if (run / "eval.json").exists() else None
    assert main(["eval", str(run), "--episodes", "1", "--out", str(tmp_path / "mine.json")]) == 0
    assert json.loads((tmp_path / "mine.json").read_text())["episodes"] == 1
    assert ((run / "eval.json").read_bytes() if (run / "eval.json").exists() else None) == before
    assert main(["eval", str(run), "--episodes", "1", "--out", str(tmp_path)]) == 2
    assert "is a directory" in capsys.readouterr().err


def test_arena_watch_opens_the_recorded_files(run, tmp_path):
    png = tmp_path / "f.png"
    assert main(["watch", str(run / "replays"), "--episode", "1", "--frame", "40", "--out", str(png)]) == 0
    assert png.read_bytes()[:4] == b"\x89PNG"


def test_recording_needs_an_arena_target(tmp_path, capsys):
    gym_run = tmp_path / "gym"
    assert main(["train", "gym:CartPole-v1", "--algo", "ppo", "--record-every", "1", "--run-dir", str(gym_run)]) == 2
    assert "--record-every: only arena scenarios can be recorded" in capsys.readouterr().err
    assert main(["train", "gym:CartPole-v1", "--algo", "ppo", "--steps", "64", "--envs", "1", "--rollout-len", "64",
                 "--minibatches", "1", "--epochs", "1", "--run-dir", str(gym_run)]) == 0
    assert main(["eval", str(gym_run), "--episodes", "1", "--record"]) == 2
    assert "--record: only arena scenarios can be recorded, not gym:CartPole-v1" in capsys.readouterr().err
    assert not (gym_run / "stages.json").exists()  # no milestones outside the arena


def test_record_into_a_file_is_a_clear_error(run, tmp_path, capsys):
    (tmp_path / "file").write_text("x")
    assert main(["eval", str(run), "--record", str(tmp_path / "file")]) == 2
    assert "exists and is not a directory" in capsys.readouterr().err
    with pytest.raises(SystemExit) as e:
        main(["train", "--record-every", "often"])
    assert e.value.code == 2
    assert main(["train", "--record-every", "-1", "--run-dir", str(tmp_path / "r")]) == 2
    assert "--record-every must be in [0, 1_000_000], got -1" in capsys.readouterr().err


def test_the_record_hook_gets_a_path_meta_and_the_current_curriculum(tmp_path):
    """The trainer's side of the hook, without the arena: a stub wrapper that notes what it is given."""
    from agents import config
    from agents.trainer import Trainer
    from test_agents_toys import CoopEnv

    seen = []

    class Noting(CoopEnv):
        def reset(self, seed=None, options=None):
            if getattr(self, "meta", None):
                seen.append((self.path.name, self.meta["step"], options["overrides"]["x"]))
            return super().reset(seed, options)

    def wrapper(env, path, meta):
        env.path, env.meta = path, meta
        return env

    cfg = config.resolve("mappo", ("test", dict(target="pz:test", steps=400, envs=2, rollout_len=50, workers=1,
                                                curriculum={"x": [0.0, 1.0]}, curriculum_until=1.0, record_every=2)))
    trainer = Trainer(cfg, Noting, tmp_path, record_wrapper=wrapper)
    trainer.train()
    first_resets = list(dict.fromkeys(seen))  # the env resets again after the recorded episode
    assert [s[:2] for s in first_resets] == [("update_000002", 200), ("update_000004", 400)]
    assert [s[2] for s in first_resets] == [0.5, 1.0]  # recorded at the curriculum's values of the moment
