#!/usr/bin/env bash
# The long run of the layer-by-layer check over random draws (scn.bench.FuzzPaths): builds the
# benchmark jar, then checks DRAWS draws from seed FIRST against the scalar reference.
#   bench/fuzz-paths.sh [DRAWS [FIRST]]      (default 200 draws from seed 1: about 7 minutes on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/.."
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
mvn -q -f bench/pom.xml package -DskipTests
"$java" --add-modules=jdk.incubator.vector -cp bench/target/benchmarks.jar scn.bench.FuzzPaths "${1:-200}" "${2:-1}"
