#!/usr/bin/env bash
# Data-parallel speed-up of two Spark replicas in local mode against one replica on one core, in one run:
#   1. `engine.jar train`, one thread, pinned to one core (taskset), batch B;
#   2. `engine-spark.jar train --master local[2] --replicas 2`, batch B each: each replica computes on its task's
#      thread alone (spark.task.cpus = 1), the two side by side.
# Both on the built-in synthetic data at width W, STEPS steps; the rate counts the steps after the first WARM
# (seconds from metrics.jsonl), so start-up, Spark's included, is left out.
# Usage: bench/replica-scaling.sh [STEPS [W [B]]]   (after `mvn -q package -DskipTests` and
#        `mvn -q -f spark/pom.xml package -DskipTests`)
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${1:-30} width=${2:-0.25} batch=${3:-4} warm=5
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd spark && mvn -q -o dependency:build-classpath -Dmdep.outputFile="$tmp/cp.txt" >/dev/null)
opts=$(sed -n 's:.*<spark.java.options>\(.*\)</spark.java.options>.*:\1:p' spark/pom.xml)
common=(--preset quick --width "$width" --batch "$batch" --epochs 1 --steps-per-epoch "$steps" --eval-every 0)

rate() { # samples/s over steps warm+1..last of a run's metrics.jsonl, replicas $2
    python3 - "$1/metrics.jsonl" "$batch" "$2" "$warm" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
rows = [r for r in rows if "samples_per_s" in r]
b, reps, warm = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
first, last = rows[warm - 1], rows[-1]
print((last["step"] - first["step"]) * b * reps / (last["seconds"] - first["seconds"]))
PY
}

taskset -c 0 java -Dscn.threads=1 -jar target/engine.jar train "${common[@]}" --run-dir "$tmp/one" >"$tmp/one.log" 2>&1
# shellcheck disable=SC2086
java $opts -Xmx6g -cp "$(cat "$tmp/cp.txt"):spark/target/engine-spark.jar" scn.spark.SparkMain train \
    --master 'local[2]' --replicas 2 "${common[@]}" --run-dir "$tmp/two" >"$tmp/two.log" 2>&1
one=$(rate "$tmp/one" 1) two=$(rate "$tmp/two" 2)
python3 - "$one" "$two" "$width" "$batch" "$steps" <<'PY'
import sys
one, two = float(sys.argv[1]), float(sys.argv[2])
print(f"width {sys.argv[3]}, batch {sys.argv[4]} per replica, {sys.argv[5]} steps: one replica on one core "
      f"{one:.2f} samples/s; two local[2] replicas {two:.2f} samples/s; speed-up {two / one:.2f}x")
PY
