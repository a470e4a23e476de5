#!/usr/bin/env bash
# The OpenCL checks and benchmarks of a GPU in one go: the device list, every kernel against the CPU
# reference, and the paper's pipeline at width 1.0, batch 8 (plus width 0.25): the student's training step, the
# ReLU teacher's, the student's step while distilling the teacher, inference, and the device memory of training
# and of inference, with per-kernel times of the student's step from OpenCL profiling events. Results go to OUT (default gpu-check/).
#   bench/gpu-check.sh [OUT]                          # runs java -jar target/engine.jar
#   ENGINE="java -jar /path/engine.jar" bench/gpu-check.sh OUT
set -uo pipefail
out=${1:-gpu-check}
engine=${ENGINE:-java -jar target/engine.jar}
device=${DEVICE:-opencl}
mkdir -p "$out"
run() { # name, then the engine's arguments; keeps going when one fails, so one call gives every result
  local name=$1; shift
  echo "== $name: $*" | tee -a "$out/summary.txt"
  local start=$SECONDS
  $engine "$@" > "$out/$name.txt" 2>&1
  local rc=$?
  tail -n 25 "$out/$name.txt" >> "$out/summary.txt"
  echo "== $name: exit $rc after $((SECONDS - start)) s" | tee -a "$out/summary.txt"
}
run devices devices
run check-kernels check-kernels --device "$device"
run bench-w1-b8 bench --device "$device" --width 1 --batch 8 --steps 5 --warmup 2 --profile --json "$out/bench-w1-b8.json"
run bench-w025-b8 bench --device "$device" --width 0.25 --batch 8 --steps 5 --warmup 2 --json "$out/bench-w025-b8.json"
# The device's kernels layer by layer against the scalar reference (check-paths runs the reference on the
# host's CPU, so this takes minutes): on the shared chaotic fixture when it is there, else a fresh model.
fixture=${FIXTURE:-../shared/fixtures/fastpath-divergence}
if [ -f "$fixture/input.npy" ]; then
  run check-paths check-paths --device "$device" --width 0.25 --weights "$fixture/weights.safetensors" \
    --input "$fixture/input.npy" --boxes "$fixture/boxes.npy" --json "$out/check-paths.json"
fi
