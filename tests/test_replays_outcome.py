"""The outcome of an episode as stored in its file: stages, hidden fraction, winner; the index
`arena eval --record` writes; the stage filter of `arena watch`."""
import json
import os

import pytest

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")

from agents.cli import main  # noqa: E402
from replays import format as fmt  # noqa: E402
from replays.outcome import Outcome, showing, write_index  # noqa: E402
from replays.viewer import next_stage, shown  # noqa: E402
from test_replays_viewer import small_replay  # noqa: E402

NOTHING = {"fort_prep": 0.0, "hidden_fraction": 0.8, "seeker_ramp_crossings": 0.0, "ramps_locked_by_hiders_prep": 0.0}
FORT = {**NOTHING, "fort_prep": 1.0}
CAUGHT = {**NOTHING, "hidden_fraction": 0.25, "seeker_ramp_crossings": 2.0, "ramps_locked_by_hiders_prep": 1.0}


def meta(stats):
    return {"episode_stats": {"hider_0": stats, "seeker_0": stats}}


def test_the_outcome_names_the_winner_and_the_stages_shown():
    assert Outcome.of(meta(FORT)).lines() == ["hiders won, hidden 80%", "stages: fort"]
    assert Outcome.of(meta(CAUGHT)).lines() == ["seekers won, hidden 25%",
                                                "stages: chasing, ramp use, ramp defence"]
    assert Outcome.of(meta({**NOTHING, "hidden_fraction": 0.5})).winner == "draw"
    assert Outcome.of(meta(NOTHING)).lines()[1] == "stages: none"
    assert Outcome.of({}).lines() == ["no hide-and-seek statistics in this file"] and Outcome.of({}).winner is None


@pytest.fixture
def folder(tmp_path):
    for name, stats in (("a", NOTHING), ("b", FORT), ("c", CAUGHT)):
        replay = small_replay(steps=4)
        fmt.save(type(replay)(meta(stats) | replay.meta, replay.static, replay.frames, replay.actions,
                              replay.rewards), tmp_path / f"{name}.replay.npz")
    return tmp_path


def test_the_index_says_which_episode_showed_what(folder):
    index = json.loads(write_index(folder).read_text())
    assert index["by_stage"] == {"chasing": ["c.replay.npz"], "fort": ["b.replay.npz"],
                                 "ramp_use": ["c.replay.npz"], "ramp_defence": ["c.replay.npz"]}
    assert index["episodes"]["b.replay.npz"] == {"stages": ["fort"], "hidden_fraction": 0.8, "winner": "hiders"}
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]


def test_the_stage_filter_keeps_the_episodes_that_showed_it(folder):
    paths = sorted(folder.glob("*.replay.npz"))
    assert [p.name for p in showing(paths, "fort")] == ["b.replay.npz"]
    assert showing(paths, None) == paths
    outcomes = [Outcome.of(fmt.load(p).meta) for p in paths]
    assert shown(outcomes, "chasing") == [2] and shown(outcomes, None) == [0, 1, 2]
    assert next_stage(None, outcomes) == "chasing" and next_stage("chasing", outcomes) == "fort"
    assert next_stage("ramp_defence", outcomes) is None
    assert next_stage("fort", outcomes[:2]) is None   # no ramp use nor defence among a and b: back to all


def test_watch_stage_exports_only_the_episodes_that_showed_it(folder, capsys):
    out = folder / "videos"
    assert main(["watch", str(folder), "--stage", "chasing", "--export", str(out), "--size", "160", "--quiet"]) == 0
    assert [p.name for p in out.iterdir()] == ["c.mp4"]
    with pytest.raises(SystemExit) as exit_:
        main(["watch", str(folder), "--stage", "fortt"])
    assert exit_.value.code == 2 and "invalid choice: 'fortt'" in capsys.readouterr().err
