#!/usr/bin/env bash
# Durable messages per core, SQLite against PostgreSQL (issue 17's target), the two runs
# interleaved so that both see the machine's same spell.
#
#   tools/bench/store-per-core.sh [HOLD_SECONDS] RATE...
#       e.g. tools/bench/store-per-core.sh 20 sqlite:14000 postgresql:9000 sqlite:16000
#
# Needs the release build (cmake --build --preset release) and the cluster packages
# (tools/deps.sh test). The relay and its PostgreSQL server share core 0, the loader
# (tidings-bench throughput: 2,000 users in 1,000 pairs) runs on core 1. Per run it prints
# one line: offered and delivered msg/s, loss, p50/p99 latency, the relay process's own
# µs per message, and core 0's busy share and busy µs per delivered message, sampled from
# /proc/stat over the steady part of the run.
#
# BENCH_ARGS adds loader options to every run, split on spaces: BENCH_ARGS=--ciphertext
# makes each user register an end-to-end device first and the pairs send ciphertext-shaped
# messages (tidings-bench --help), for issue 19's plaintext/ciphertext A/B. Every run starts
# on an empty data directory, so the two modes never share a conversation.
set -euo pipefail
export PGOPTIONS='-c client_min_messages=warning'

root=$(cd "$(dirname "$0")/../.." && pwd)
relay=$root/build/release/relay/tidings-relay
bench=$root/build/release/tools/bench/tidings-bench
if [ ! -x "$relay" ] || [ ! -x "$bench" ]; then
    echo "store-per-core.sh: build the release preset first" >&2
    exit 1
fi
hold=10
if [[ ${1:-} =~ ^[0-9]+$ ]]; then
    hold=$1
    shift
fi
[ $# -gt 0 ] || {
    echo "usage: store-per-core.sh [HOLD_SECONDS] sqlite:RATE|postgresql:RATE..." >&2
    exit 2
}

read -r -a bench_args <<<"${BENCH_ARGS:-}"

work=$(mktemp -d /tmp/tidings-per-core.XXXXXX)
services=$work/services
cleanup() {
    if [ -n "${relay_pid:-}" ]; then kill "$relay_pid" 2>/dev/null || true; fi
    if [ -n "${sampler_pid:-}" ]; then kill "$sampler_pid" 2>/dev/null || true; fi
    "$root/tests/cluster/services.sh" stop "$services" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

"$root/tests/cluster/services.sh" start "$services" >/dev/null
server=$(cat "$services/postgres.url")
server=${server%/postgres}
psql "$server/postgres" -qc 'create database bench' >/dev/null
port=${server##*:}
# The postmaster and the processes it has: backends forked later inherit its core.
postmaster=$(pgrep -f "bin/postgres .*-p $port")
for pid in $postmaster $(pgrep -P "$postmaster"); do taskset -p -c 0 "$pid" >/dev/null; done

core0() { head -2 /proc/stat | tail -1; }

for run in "$@"; do
    store=${run%%:*}
    rate=${run##*:}
    store_args=()
    case "$store" in
    sqlite) ;;
    postgresql)
        psql "$server/bench" -qc 'drop schema public cascade; create schema public' >/dev/null
        store_args=(--store "$server/bench")
        ;;
    *)
        echo "store-per-core.sh: unknown store '$store'" >&2
        exit 2
        ;;
    esac
    rm -rf "$work/data"
    taskset -c 0 "$relay" --port 18421 --data-dir "$work/data" --e2e optional --password-cost minimum \
        --sign-in-rate 100000000 --message-rate 100000000 --frame-rate 100000000 \
        --max-connections-per-address 100000 --max-pending-per-address 100000 \
        "${store_args[@]}" >"$work/relay.log" 2>&1 &
    relay_pid=$!
    sleep 2
    (while :; do
        echo "$(date +%s.%N) $(core0)"
        sleep 0.5
    done) >"$work/cpu.log" &
    sampler_pid=$!
    start=$(date +%s.%N)
    taskset -c 1 "$bench" throughput --url http://127.0.0.1:18421 --connections 2000 \
        --pairs 1000 --rate "$rate" --hold "$hold" --relay-pid "$relay_pid" "${bench_args[@]}" \
        >"$work/bench.out" 2>&1 ||
        true # a run with errors (timeouts at overload) is reported like the others
    kill "$sampler_pid"
    sampler_pid=
    kill "$relay_pid"
    wait "$relay_pid" 2>/dev/null || true
    relay_pid=
    python3 - "$store" "$start" "$work/bench.out" "$work/cpu.log" <<'PY'
import json, sys
store, start = sys.argv[1], float(sys.argv[2])
report = [json.loads(l) for l in open(sys.argv[3]) if l.startswith('{')][-1]
samples = []
for line in open(sys.argv[4]):
    fields = line.split()
    ticks = list(map(int, fields[2:]))
    samples.append((float(fields[0]), sum(ticks) - ticks[3] - ticks[4], sum(ticks)))
# The steady part: after sign-up and the first seconds of load, before the end.
w0 = start + report['setup_s'] + 1.5
w1 = w0 + report['hold_s'] - 3
steady = [s for s in samples if w0 <= s[0] <= w1]
busy = (steady[-1][1] - steady[0][1]) / (steady[-1][2] - steady[0][2])
delivered = report['throughput_msg_s']
latency = report['latency_ms']
mode = 'ciphertext' if report.get('ciphertext') else 'plaintext'
print(f"{store:10} {mode:10} offered {report['rate']:6} delivered {delivered:8.0f} loss {report['loss']} errors {report.get('errors', 0)} "
      f"p50 {latency['p50']:8.1f} ms p99 {latency['p99']:8.1f} ms "
      f"relay {report['relay_us_per_msg']:4.0f} us/msg core0 {100 * busy:3.0f}% "
      f"{busy * 1e6 / delivered:4.0f} us/msg", flush=True)
PY
done
