#!/usr/bin/env bash
# One command for every benchmark of ProfileService for Java.
#
#   bench/run.sh --quick   CI: short JMH runs and the macro benchmark with small counts (well under
#                          2 minutes for all four backends). Proves it all runs; asserts no timing.
#   bench/run.sh --full    The numbers for BENCHMARKS.md.
#
# Anything after the mode goes to MacroBench, e.g. `bench/run.sh --full --backends redis`, or
# `bench/run.sh --quick --metrics` to have every library service record Micrometer meters.
# Stores: PostgreSQL 127.0.0.1:5432 db test, MariaDB 127.0.0.1:3306 db test, Redis 127.0.0.1:6379,
# SQLite a temporary file; PROFILESERVICE_TEST_POSTGRES_URI / _MARIADB_URI / _REDIS_URI override.
# Results: bench/results/{jmh,macro}-{quick,full}.{txt,json,md}. Exit code 0 when everything ran.
set -euo pipefail
cd "$(dirname "$0")/.."

mode="${1:-}"
case "$mode" in
  --quick) name=quick; jmh_args=(-f 1 -wi 1 -w 200ms -i 2 -r 300ms) ;;
  --full)  name=full;  jmh_args=() ;;  # the annotations: 1 fork, 3 x 1 s warm-up, 5 x 1 s measured
  *) echo "usage: bench/run.sh --quick|--full [MacroBench options, e.g. --backends redis]" >&2; exit 2 ;;
esac
shift

echo "=== building the benchmarks jar (bench and the modules it needs)"
./mvnw -q -B -ntp -pl bench -am package -Dmaven.test.skip=true
jar=bench/target/benchmarks.jar
out=bench/results
mkdir -p "$out"
java_opts=(-Xms1g -Xmx4g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn)

echo "=== machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(java -version 2>&1 | head -1), load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ)"
echo "=== JMH micro-benchmarks ($name)"
java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -jar "$jar" "${jmh_args[@]}" \
  -rf json -rff "$out/jmh-$name.json" 'dev.profileservice.bench.*' | tee "$out/jmh-$name.txt"

echo "=== macro benchmark ($name)"
java "${java_opts[@]}" -cp "$jar" dev.profileservice.bench.MacroBench "$mode" --out "$out/macro-$name.md" "$@"
echo "=== done: $out/jmh-$name.txt and $out/macro-$name.md"
