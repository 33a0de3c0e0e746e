#!/usr/bin/env bash
# Mutation score of the stage detectors with cosmic-ray (pip install -e ".[bench]"): each mutant of a
# module is one small change to its source (an operator, a comparison, a constant, min/max ...); the
# module's fast tests run against it, and a mutant they still pass "survives". Too slow for CI.
#
#   benchmarks/mutation.sh [MODULE...]     # default: arena/forts.py arena/stages.py
#
# It works on a copy of the committed tree (git archive HEAD) in a temporary directory, one mutant at
# a time (one CPU), and prints per module every survivor with its diff and the totals (cr-report).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
python=${PYTHON:-$repo/.venv/bin/python}
bin=$(dirname "$python")
declare -A tests=(
  [arena/stages.py]="tests/test_stage_phases.py tests/test_ramp_detectors.py tests/test_stages_rules.py
    tests/test_learn_stages.py::test_the_arena_milestones_are_the_emergence_stages
    tests/test_learn_stages.py::test_stage_returns_split_each_teams_return_by_whether_the_stage_showed
    tests/test_plot.py::test_stage_rates_count_the_episodes_that_show_each_stage"
  [arena/forts.py]="tests/test_fort_detector.py tests/test_ramp_detectors.py tests/test_door_sensor.py"
)
modules=("$@")
[ ${#modules[@]} -gt 0 ] || modules=(arena/forts.py arena/stages.py)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git -C "$repo" archive HEAD | tar -x -C "$work"
cd "$work"
"$python" -c "import arena, sys; sys.exit(not arena.__file__.startswith('$work'))" \
  || { echo "mutation.sh: the tests would import arena from elsewhere, not the mutated copy" >&2; exit 2; }
for module in "${modules[@]}"; do
  [ -n "${tests[$module]:-}" ] || { echo "mutation.sh: no test subset for $module; add one to the script" >&2; exit 2; }
  name=$(basename "$module" .py)
  cat > "$name.toml" <<TOML
[cosmic-ray]
module-path = "$module"
timeout = 300.0
excluded-modules = []
test-command = "$python -m pytest -x -q -p no:cacheprovider $(echo ${tests[$module]})"

[cosmic-ray.distributor]
name = "local"
TOML
  "$bin/cosmic-ray" init "$name.toml" "$name.sqlite"
  "$bin/cosmic-ray" baseline "$name.toml"
  "$bin/cosmic-ray" exec "$name.toml" "$name.sqlite"
  echo "== $module: surviving mutants, then the totals"
  "$bin/cr-report" --surviving-only --show-diff "$name.sqlite"
done
