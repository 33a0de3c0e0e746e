"""Milestones: the first update in which a stage holds in most episodes goes to stages.json (kept across
--resume) with a highlight replay; the default recipe of a built-in scenario; stage marks in the plot."""
import json
import tomllib
from pathlib import Path

import pytest

import replays
from agents import config
from agents.cli import main
from agents.commands import learn
from agents.commands.plot import plot, read_firsts
from agents.trainer import HIGHLIGHT_TRIES, Trainer

ROOT = Path(__file__).resolve().parent.parent
TINY = dict(target="hide_and_seek_quadrant", envs=2, rollout_len=64, minibatches=2, epochs=1, hidden=[16], workers=1,
            encoder="mlp")


def _trainer(run, steps, milestones, resume=False):
    cfg = config.resolve("mappo", ("test", dict(TINY, steps=steps)))
    return Trainer(cfg, learn.env_factory(cfg.target, {}), run, resume=resume, record_wrapper=learn.record_wrapper,
                   milestones=milestones)


def test_first_steps_go_to_stages_json_with_a_highlight_and_survive_resume(tmp_path, capsys):
    run = tmp_path / "run"
    state = {"highlighting": False, "calls_while_highlighting": 0}

    def milestones(episode):  # scripted: what each episode "shows" does not depend on the policy
        if state["highlighting"]:
            state["calls_while_highlighting"] += 1
        return {"always": True, "only_in_training": not state["highlighting"], "never": False,
                "late": trainer.step > 256}

    trainer = _trainer(run, 256, milestones)
    record_highlight = trainer.record_highlight

    def highlighting(name):
        state["highlighting"] = True
        try:
            return record_highlight(name)
        finally:
            state["highlighting"] = False

    trainer.record_highlight = highlighting
    trainer.highlight_frames = learn.highlight_frames
    trainer.train()
    trainer.writer.flush()
    # update 1 ends no episode (64 steps of an 80-step episode); update 2 (step 256) ends two
    noted = json.loads((run / "stages.json").read_text())
    assert set(noted) == {"always", "only_in_training"}
    # "only_in_training", after "always" in the milestones' order, first held in the same update: it
    # overtakes "always" at once (an empty phase, as arena.stages.phases has it)
    assert noted["always"] == {"step": 256, "update": 2, "share": 1.0, "episodes": 2,
                               "highlight": "highlights/always.replay.npz", "highlight_shows": True,
                               "highlight_tries": 1, "overtaken_step": 256}
    assert noted["only_in_training"]["highlight_shows"] is False
    assert noted["only_in_training"]["highlight_tries"] == HIGHLIGHT_TRIES
    assert state["calls_while_highlighting"] == 1 + HIGHLIGHT_TRIES  # tries stop at the first success
    assert sorted(p.name for p in (run / "highlights").iterdir()) == ["always.replay.npz",
                                                                     "only_in_training.replay.npz"]
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    events = EventAccumulator(str(run / "tb"), size_guidance={"images": 0})
    events.Reload()
    assert sorted(events.Tags()["images"]) == ["highlight/always", "highlight/only_in_training"]
    video = events.Images("highlight/always")[0]
    assert video.step == 256 and video.encoded_image_string[:6] == b"GIF89a"
    highlight = replays.load(run / "highlights" / "always.replay.npz")
    import imageio.v3 as iio

    assert iio.imread(video.encoded_image_string, index=None, extension=".gif").shape[0] == highlight.num_frames
    assert highlight.meta["highlight"] == "always" and highlight.meta["step"] == 256
    out = capsys.readouterr().out
    assert "milestone: always first held in 100% of the 2 episodes of update 2 (step 256)" in out
    assert f"only_in_training: none of {HIGHLIGHT_TRIES} episodes showed it; kept the last" in out

    before = (run / "highlights" / "always.replay.npz").stat().st_mtime_ns
    trainer = _trainer(run, 512, milestones, resume=True)
    trainer.train()
    resumed = json.loads((run / "stages.json").read_text())
    # "late", after both in the milestones' order, overtakes the one not yet overtaken when it first holds
    assert resumed["always"] == noted["always"]
    assert resumed["only_in_training"] == {**noted["only_in_training"], "overtaken_step": 512}
    assert resumed["late"]["step"] == 512 and "overtaken_step" not in resumed["late"]  # update 3 ends no episode
    assert (run / "highlights" / "always.replay.npz").stat().st_mtime_ns == before

    assert read_firsts(run) == {"always": 256, "only_in_training": 256, "late": 512}
    assert plot(run, tmp_path / "curves.png").read_bytes()[:4] == b"\x89PNG"


def test_the_arena_milestones_are_the_emergence_stages():
    episode = {"return/hider": 1.0, "episode/hidden_fraction": 0.2, "episode/fort_prep": 1.0,
               "episode/seeker_ramp_crossings": 0.0, "episode/ramps_defended_prep": 0.0}
    assert learn.stages_reached(episode) == {"chasing": True, "fort": True, "ramp_use": False, "ramp_defence": False}
    assert learn.stage_rates([episode, {**episode, "episode/fort_prep": 0.0}])["stage/fort"] == 0.5
    assert learn.stages_reached({"return/agent": 1.0}) == {} and learn.stage_rates([{"return/agent": 1.0}]) == {}


def test_stage_returns_split_each_teams_return_by_whether_the_stage_showed():
    fort = {"return/hider": 30.0, "return/seeker": -30.0, "episode/hidden_fraction": 0.9, "episode/fort_prep": 1.0,
            "episode/seeker_ramp_crossings": 0.0, "episode/ramps_defended_prep": 0.0}
    open_door = {**fort, "return/hider": -20.0, "return/seeker": 20.0, "episode/fort_prep": 0.5}
    worth = learn.stage_returns([fort, open_door, {**open_door, "return/hider": -10.0}])
    assert worth["return_with/fort/hider"] == 30.0 and worth["return_without/fort/hider"] == -15.0
    assert worth["return_without/chasing/seeker"] == pytest.approx(10 / 3)  # no episode shows chasing
    assert "return_with/chasing/hider" not in worth and "return_with/ramp_use/seeker" not in worth
    table = learn.stage_table({**learn.stage_rates([fort, open_door, open_door]), **worth}, 3).splitlines()
    assert table[3].split() == ["fort", "33%", "6%-79%", "1", "of", "3", "hider", "30.0", "/", "-15.0", "seeker",
                                "-30.0", "/", "20.0"]
    assert table[2].split()[:6] == ["chasing", "0%", "0%-56%", "0", "of", "3"] and "hider - / 0.0" in table[2]
    assert learn.stage_returns([{"return/agent": 1.0}]) == {}


def test_wilson_interval_is_the_score_interval_and_stays_within_zero_and_one():
    assert learn.wilson_interval(50, 100) == pytest.approx((0.4038, 0.5962), abs=1e-4)
    assert learn.wilson_interval(0, 10) == pytest.approx((0.0, 0.2775), abs=1e-4)
    assert learn.wilson_interval(10, 10) == pytest.approx((0.7225, 1.0), abs=1e-4)
    narrow, wide = learn.wilson_interval(430, 1000), learn.wilson_interval(43, 100)
    assert narrow[1] - narrow[0] < (wide[1] - wide[0]) / 3


def test_a_damaged_stages_json_stops_resume_and_only_warns_in_plot(tmp_path, capsys):
    run = tmp_path / "run"
    _trainer(run, 128, learn.stages_reached).train()
    (run / "stages.json").write_text("{not json")
    with pytest.raises(learn.InputError, match="stages.json: cannot read the noted milestones"):
        _trainer(run, 256, learn.stages_reached, resume=True)
    assert read_firsts(run) == {} and "unreadable" in capsys.readouterr().err


def test_train_uses_the_scenario_recipe_by_default_and_flags_override_it(tmp_path, capsys):
    fast = ["--steps", "128", "--envs", "2", "--rollout-len", "64", "--minibatches", "2", "--epochs", "1",
            "--hidden", "16", "--workers", "1"]
    recipe = config.read_yaml(ROOT / "agents" / "recipes" / "hide_and_seek_quadrant.yaml")
    assert main(["train", "--run-dir", str(tmp_path / "a"), *fast]) == 0
    assert "using the recipe" in capsys.readouterr().out
    cfg = config.load(tmp_path / "a" / "config.yaml")
    assert cfg.curriculum == recipe["curriculum"] and cfg.encoder == recipe["encoder"] == "mlp"
    assert (cfg.hidden, cfg.envs, cfg.steps) == ([16], 2, 128)  # flags win
    assert main(["train", "--run-dir", str(tmp_path / "c"), *fast, "--env-kwargs", "{spawn__boxes_one_shut: 0.5}"]) == 0
    assert config.load(tmp_path / "c" / "config.yaml").env_kwargs == {**recipe["env_kwargs"],
                                                                      "spawn__boxes_one_shut": 0.5}
    capsys.readouterr()
    assert main(["train", "hide_and_seek_quadrant", "--no-recipe", "--run-dir", str(tmp_path / "b"), *fast,
                 "--encoder", "mlp"]) == 0
    assert "using the recipe" not in capsys.readouterr().out
    assert config.load(tmp_path / "b" / "config.yaml").curriculum == {}
    assert learn.default_recipe("hide_and_seek_rooms") is None and learn.default_recipe("gym:CartPole-v1") is None
    assert main(["train", "--no-recipe", "--config", "x.yaml"]) == 2
    assert "--config and --no-recipe" in capsys.readouterr().err


def test_algo_flag_wins_over_the_recipe_and_a_ppo_only_recipe_setting_is_refused_for_trpo(tmp_path, capsys):
    fast = ["--steps", "128", "--envs", "2", "--rollout-len", "64", "--minibatches", "2", "--epochs", "1",
            "--hidden", "16", "--workers", "1"]
    assert main(["train", "--algo", "ippo", "--run-dir", str(tmp_path / "a"), *fast]) == 0
    assert config.load(tmp_path / "a" / "config.yaml").algo == "ippo"
    capsys.readouterr()
    assert main(["train", "--algo", "trpo", "--run-dir", str(tmp_path / "b"), *fast]) == 2
    err = capsys.readouterr().err
    assert "entropy_target" in err and "--no-recipe" in err and not (tmp_path / "b").exists()


def test_the_recipes_the_pretrained_policy_and_the_example_replays_ship_in_the_package():
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    shipped = {p for package, patterns in package_data.items() for pattern in patterns
               for p in (ROOT / package.replace(".", "/")).glob(pattern)}
    assert ROOT / "agents" / "recipes" / "hide_and_seek_quadrant.yaml" in shipped
    assert ROOT / "agents" / "pretrained" / "hide_and_seek_quadrant" / "checkpoint.pt" in shipped
    assert {p for p in (ROOT / "replays" / "examples").iterdir()} <= shipped


def test_export_ships_a_small_copy_that_eval_plays_and_resume_refuses(tmp_path, capsys):
    fast = ["--steps", "128", "--envs", "2", "--rollout-len", "64", "--minibatches", "2", "--epochs", "1",
            "--hidden", "16", "--workers", "1"]
    run, shipped = tmp_path / "run", tmp_path / "shipped"
    assert main(["train", "--run-dir", str(run), *fast]) == 0
    assert main(["export", str(run), str(shipped)]) == 0
    assert sorted(p.name for p in shipped.iterdir()) == ["checkpoint.pt", "config.yaml", "stages.json"]
    assert (shipped / "checkpoint.pt").stat().st_size < 0.6 * (run / "checkpoint.pt").stat().st_size
    assert main(["eval", str(shipped), "--episodes", "2"]) == 0
    assert json.loads((shipped / "eval.json").read_text())["step"] == 128
    capsys.readouterr()
    assert main(["train", "--resume", str(shipped)]) == 2
    assert "checkpoint does not match" in capsys.readouterr().err
    assert main(["export", str(tmp_path / "nothing"), str(tmp_path / "out")]) == 2
    assert not (tmp_path / "out").exists()
