"""Each stage's phase: from the step it first held to the step the next stage first held."""
import json

from agents.commands.plot import plot
from arena import stages


def test_a_stage_is_overtaken_when_the_next_stage_first_holds():
    firsts = {"ramp_use": 900, "chasing": 100, "fort": 400, "milestone_of_another_task": 50}
    assert stages.phases(firsts) == {"chasing": (100, 400), "fort": (400, 900), "ramp_use": (900, None)}


def test_a_later_stage_that_held_first_does_not_overtake_an_earlier_one():
    # forts before chasing: chasing is overtaken by the next stage noted after it, ramp use
    assert stages.phases({"chasing": 500, "fort": 300, "ramp_use": 800}) == {
        "chasing": (500, 800), "fort": (300, 800), "ramp_use": (800, None)}
    assert stages.phases({}) == {}


def test_plot_shades_the_phases_of_a_run_with_overtaken_stages(tmp_path):
    rows = [{"step": 100 * i, "return/hider": i, "stage/chasing": 0.6, "stage/fort": i / 10} for i in range(10)]
    (tmp_path / "metrics.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    (tmp_path / "stages.json").write_text(json.dumps({"chasing": {"step": 100}, "fort": {"step": 600}}))
    assert plot(tmp_path, tmp_path / "curves.png").read_bytes()[:4] == b"\x89PNG"


def test_two_stages_first_holding_in_the_same_update_leave_the_earlier_one_no_phase():
    assert stages.phases({"chasing": 100, "fort": 100}) == {"chasing": (100, 100), "fort": (100, None)}
