"""The stage rules at their thresholds, and the rates' denominator."""
from arena import stages


def _stats(hidden=1.0, fort=0.0, crossings=0.0, defended=0.0):
    return {"hidden_fraction": hidden, "fort_prep": fort, "seeker_ramp_crossings": crossings,
            "ramps_defended_prep": defended}


def test_each_stage_holds_at_its_threshold_and_not_just_short_of_it():
    assert stages.reached(_stats(hidden=0.5))["chasing"] and not stages.reached(_stats(hidden=0.51))["chasing"]
    assert stages.reached(_stats(fort=1.0))["fort"] and not stages.reached(_stats(fort=0.99))["fort"]
    assert stages.reached(_stats(crossings=1.0))["ramp_use"] and not stages.reached(_stats(crossings=0.0))["ramp_use"]
    assert stages.reached(_stats(defended=1.0))["ramp_defence"]
    assert not stages.reached(_stats(defended=0.99))["ramp_defence"]
    assert stages.reached(_stats()) == {"chasing": False, "fort": False, "ramp_use": False, "ramp_defence": False}


def test_episodes_of_other_tasks_are_left_out_of_the_rates():
    assert stages.reached({"hidden_fraction": 0.0}) == {}
    rates = stages.rates([_stats(fort=1.0), _stats(hidden=0.2), {"other": 1.0}, _stats(crossings=2.0)])
    assert rates == {"stage/chasing": 1 / 3, "stage/fort": 1 / 3, "stage/ramp_use": 1 / 3, "stage/ramp_defence": 0.0}
    assert stages.rates([]) == {}


def test_episodes_recorded_before_the_defence_statistic_read_their_locked_share():
    old = {"hidden_fraction": 1.0, "fort_prep": 0.0, "seeker_ramp_crossings": 0.0}
    assert stages.reached({**old, "ramps_locked_by_hiders_prep": 1.0})["ramp_defence"]
    assert not stages.reached({**old, "ramps_locked_by_hiders_prep": 0.5})["ramp_defence"]
    assert not stages.reached(old)["ramp_defence"]
    # the new statistic wins where it exists
    assert not stages.reached({**old, "ramps_locked_by_hiders_prep": 1.0, "ramps_defended_prep": 0.5})["ramp_defence"]
