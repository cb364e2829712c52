#!/usr/bin/env bash
# Reruns every benchmark in this module and rebuilds results/: the raw
# output, benchstat's summary, the markdown report of medians (report.md,
# what README.md shows) and the PNG charts.
#
#   ./run.sh                 # COUNT=10 runs of BENCHTIME=0.5s each
#   COUNT=3 BENCHTIME=0.2s ./run.sh
#
# Redis: with SESSIONS_REDIS_ADDR unset and redis-server and redis-cli
# installed, a private server is started on a free port for the run (and
# stopped after),
# so INFO commandstats counts only this run's commands and no other tests
# share its CPU. Otherwise SESSIONS_REDIS_ADDR (default 127.0.0.1:6379) is
# used; the Redis rows are skipped with SKIP-NO-SERVER if it does not answer.
#
# The runs are interleaved: each of the COUNT rounds runs every benchmark
# once, so a burst of load elsewhere on the machine spreads over all rows
# instead of landing on one. The commands each round runs are
#
#   go test -run='^$' -bench='^Benchmark(Request|TCP|HeapPerSession|Scale|CleanupLatency|RedisCommands|ServeFile)$' -benchmem -benchtime=$BENCHTIME -count=1
#   go test -run='^$' -bench='^BenchmarkParallelRW$' -cpu=1,2 -benchmem -benchtime=$BENCHTIME -count=1
#
# (through one compiled test binary). 25-50 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")"

COUNT=${COUNT:-10}
BENCHTIME=${BENCHTIME:-0.5s}
out=results
mkdir -p "$out"
tmp=$(mktemp -d)
redis_pid=

cleanup() {
	if [ -n "$redis_pid" ]; then
		kill "$redis_pid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

if [ -z "${SESSIONS_REDIS_ADDR:-}" ] && command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1; then
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null || echo 6390)
	redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no \
		--dir "$tmp" --logfile "$tmp/redis.log" --daemonize no &
	redis_pid=$!
	# Wait until the server on the port is the one just started (its
	# process_id), not another that holds the port already.
	up=
	for _ in $(seq 50); do
		pid=$(redis-cli -p "$port" info server 2>/dev/null | tr -d '\r' | sed -n 's/^process_id://p' || true)
		[ "$pid" = "$redis_pid" ] && up=1 && break
		sleep 0.1
	done
	if [ -z "$up" ]; then
		# Without this the run would go on against whatever answers on
		# that port (resetting its command statistics), or skip every
		# Redis row.
		echo "run.sh: the private redis-server on port $port did not start:" >&2
		tail -5 "$tmp/redis.log" >&2 || true
		exit 1
	fi
	export SESSIONS_REDIS_ADDR=127.0.0.1:$port
	echo "private redis-server $(redis-server --version | grep -o 'v=[0-9.]*') on $SESSIONS_REDIS_ADDR"
fi

{
	echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "nproc: $(nproc)"
	echo "cpu: $(lscpu | sed -n 's/^Model name: *//p')"
	# The cache sizes and whether the Go heap can get huge pages decide
	# how much the 1M-session rows of BenchmarkScale miss.
	echo "caches: $(lscpu | sed -n 's/^\(L[23]\) cache: *\(.*\)/\1 \2/p' | paste -sd, -)"
	echo "transparent hugepages: $(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null || echo unknown)"
	echo "go: $(go version)"
	echo "redis: ${SESSIONS_REDIS_ADDR:-127.0.0.1:6379} $(redis-server --version 2>/dev/null | grep -o 'v=[0-9.]*' || true)"
	echo "count: $COUNT, benchtime: $BENCHTIME"
} | tee "$out/machine.txt"

go test -c -o "$tmp/bench.test" .
raw=$out/raw.txt
: >"$raw"
for i in $(seq "$COUNT"); do
	echo "=== round $i of $COUNT"
	"$tmp/bench.test" -test.run='^$' \
		-test.bench='^Benchmark(Request|TCP|HeapPerSession|Scale|CleanupLatency|RedisCommands|ServeFile)$' \
		-test.benchmem -test.benchtime="$BENCHTIME" -test.count=1 | tee -a "$raw" | grep -E '^(Benchmark|--- FAIL|FAIL|ok)' || true
	"$tmp/bench.test" -test.run='^$' -test.bench='^BenchmarkParallelRW$' -test.cpu=1,2 \
		-test.benchmem -test.benchtime="$BENCHTIME" -test.count=1 | tee -a "$raw" | grep -E '^(Benchmark|--- FAIL|FAIL)' || true
done

go tool benchstat "$raw" >"$out/benchstat.txt"
go run ./cmd/charts -out "$out" "$raw" >"$out/report.md"

# Put the new tables into README.md, between its report markers. (The
# commentary around them names figures of the run it was written for.)
awk -v report="$out/report.md" '
	/^<!-- report:/ { print; while ((getline line < report) > 0) print line; skip = 1; next }
	/^<!-- \/report -->/ { skip = 0 }
	!skip { print }
' README.md >"$tmp/README.md" && cp "$tmp/README.md" README.md
cat "$out/report.md"
echo
echo "raw: $raw; benchstat: $out/benchstat.txt; report: $out/report.md; charts: $out/*.png"
