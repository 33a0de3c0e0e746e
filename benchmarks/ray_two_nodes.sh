#!/usr/bin/env bash
# A multi-node rehearsal on one machine: a Ray head and a second node, each started with `ray start`
# (1 CPU each, their own ports), then one `arena train --ray ADDRESS` whose two rollout workers
# (1 CPU each) can only fit by taking one CPU on each node. Prints the nodes and where each worker ran.
#
#     benchmarks/ray_two_nodes.sh [STEPS]        (run from the repository, with its .venv)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.venv/bin
steps=${1:-20000}
port=6391
tmp=$(mktemp -d /tmp/arena-ray-XXXX)
# at exit, end this rehearsal's Ray processes only: those whose command line, environment or open
# files name $tmp (`ray stop` would stop every Ray on the machine)
ours() {
    for p in /proc/[0-9]*; do
        pid=${p#/proc/}
        [ "$pid" != "$$" ] || continue
        if grep -qsa -- "$tmp" "$p/cmdline" "$p/environ" || ls -l "$p/fd" 2>/dev/null | grep -q -- "$tmp"; then
            echo "$pid"
        fi
    done
}
cleanup() {
    pids=$(ours); [ -z "$pids" ] || kill $pids 2>/dev/null || true
    sleep 2
    pids=$(ours); [ -z "$pids" ] || kill -9 $pids 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT
# the cluster's own token (Ray's token authentication), kept with the rehearsal's files
export RAY_AUTH_MODE=token RAY_AUTH_TOKEN_PATH="$tmp/auth_token"
$bin/python -c "import secrets; print(secrets.token_hex(32))" > "$RAY_AUTH_TOKEN_PATH"

$bin/ray start --head --port=$port --num-cpus=1 --temp-dir="$tmp" --include-dashboard=false \
    --node-manager-port=6392 --object-manager-port=6393 --min-worker-port=20000 --max-worker-port=20099 >/dev/null
$bin/ray start --address=127.0.0.1:$port --num-cpus=1 \
    --node-manager-port=6394 --object-manager-port=6395 --min-worker-port=20100 --max-worker-port=20199 >/dev/null
$bin/python - "$port" <<'EOF'
import sys, ray
ray.init(address=f"127.0.0.1:{sys.argv[1]}", log_to_driver=False)
alive = [n for n in ray.nodes() if n["Alive"]]
print(f"cluster: {len(alive)} nodes, {ray.cluster_resources().get('CPU', 0):.0f} CPUs")
EOF
start=$(date +%s)
$bin/arena train gym:CartPole-v1 --algo ppo --steps "$steps" --envs 8 --rollout-len 32 --minibatches 1 --epochs 20 \
    --gamma 0.98 --gae-lambda 0.8 --lr 1e-3 --no-norm-obs --seed 1 --ray 127.0.0.1:$port --ray-workers 2 \
    --run-dir "$tmp/run" | tail -1
echo "wall time: $(( $(date +%s) - start )) s"
$bin/python - "$tmp/run/metrics.jsonl" <<'EOF'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
last = rows[-1]
print(f"updates {len(rows)}, steps {last['step']}, {last['steps_per_s']:.0f} steps/s in the last update, "
      f"workers lost {sum(r['ray/workers_lost'] for r in rows):.0f}, nodes used by the workers "
      f"{last['ray/nodes']:.0f}")
EOF
