#!/usr/bin/env bash
# Load test of the webhook endpoint, side by side in one run, on loopback, every server published with NativeAOT:
#   floor        Kestrel minimal API that leaves the body unread and answers a constant JSON body (Floor/)
#   hand-written System.Text.Json source-generated polymorphic records, a switch, a concurrent set (HandWritten/)
#   sample       the Mentra.Generated sample server (Logging:LogLevel:Default=Warning)
#   incumbent    @mentra/sdk 2.1.29 on Node.js, only with INCUMBENT=1 (needs npm)
#   sample+redis the same sample with the Redis coordinator (Mentra:Redis) against a redis-server of its own, only
#                with REDIS=1 (needs redis-server); adds the payload session_request_unique (every body new: each is
#                claimed as a first webhook) and prints each payload's ratio of sample+redis to sample
# For each payload (stop_request, session_request) it runs ROUNDS short rounds; each round runs every server once, in
# turn, and each server's requests per second is divided by the floor's of the same round. This machine is shared
# and has slow spells of several seconds that move a server's rate by 15% or more; short rounds side by side put
# every server of a round in the same spell, so the per-round ratios stay steady where whole-run rates do not.
# It prints each server's median requests per second, and the median (with quartiles) of its per-round ratios to
# the floor, then every server's resident memory at start and after the run.
# Needs wrk (apt-get install wrk). Usage: bash benchmarks/load/run.sh [seconds=2] [connections=32] [rounds=20]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-2}
connections=${2:-32}
rounds=${3:-20}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk"; exit 1; }

echo "publishing with NativeAOT..."
publish() { dotnet publish "$1" -c Release -r linux-x64 -o "$2" > "$work/publish.log" 2>&1 || { cat "$work/publish.log"; exit 1; }; }
publish benchmarks/load/Floor "$work/floor"
publish benchmarks/load/HandWritten "$work/handwritten"
publish samples/Mentra.Generated.Sample "$work/sample"

names=(floor hand-written sample)
declare -A ports=([floor]=3321 [hand-written]=3322 [sample]=3323)
declare -A pids
(cd "$work/floor" && exec ./Mentra.Load.Floor --urls http://127.0.0.1:3321 --Logging:LogLevel:Default=Warning >/dev/null 2>&1) & pids[floor]=$!
(cd "$work/handwritten" && exec ./Mentra.Load.HandWritten --urls http://127.0.0.1:3322 --Logging:LogLevel:Default=Warning >/dev/null 2>&1) & pids[hand-written]=$!
# The sample runs with app sessions off: this measures the webhook path, and the payloads name the real cloud.
(cd "$work/sample" && exec ./Mentra.Generated.Sample --urls http://127.0.0.1:3323 --Logging:LogLevel:Default=Warning --Mentra:ConnectAppSessions=false >/dev/null 2>&1) & pids[sample]=$!
if [ "${INCUMBENT:-0}" = 1 ]; then
  echo "installing @mentra/sdk@2.1.29..."
  (cd "$work" && npm init -y >/dev/null && npm install --silent @mentra/sdk@2.1.29 >/dev/null && cp "$OLDPWD/benchmarks/load/incumbent.mjs" .)
  (cd "$work" && PORT=3324 exec node incumbent.mjs >/dev/null 2>&1) & pids[incumbent]=$!
  names+=(incumbent); ports[incumbent]=3324
fi

payloads=(stop_request session_request)
if [ "${REDIS:-0}" = 1 ]; then
  command -v redis-server >/dev/null || { echo "redis-server is needed: apt-get install redis-server"; exit 1; }
  redis_port=3330
  redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --daemonize no --dir "$work" >/dev/null 2>&1 & pids[redis]=$!
  for _ in $(seq 1 100); do [ "$(redis-cli -p "$redis_port" ping 2>/dev/null)" = PONG ] && break; sleep 0.1; done
  (cd "$work/sample" && exec ./Mentra.Generated.Sample --urls http://127.0.0.1:3325 --Logging:LogLevel:Default=Warning --Mentra:ConnectAppSessions=false --Mentra:Redis=127.0.0.1:$redis_port >/dev/null 2>&1) & pids[sample+redis]=$!
  names+=(sample+redis); ports[sample+redis]=3325
  payloads+=(session_request_unique)
fi

for name in "${names[@]}"; do
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:${ports[$name]}/health" >/dev/null && break; sleep 0.1; done
done

rss() { awk '{ printf "%.1f", $1 / 1024 }' <<< "$(ps -o rss= -p "${pids[$1]}")"; }
declare -A rss_start
for name in "${names[@]}"; do rss_start[$name]=$(rss "$name"); done

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

for payload in "${payloads[@]}"; do
  script="benchmarks/load/$payload.lua"
  for name in "${names[@]}"; do   # warm-up: the JIT-free binaries still fill pools and caches
    wrk -t1 -c"$connections" -d2s -s "$script" "http://127.0.0.1:${ports[$name]}/webhook" >/dev/null
  done
  for round in $(seq 1 "$rounds"); do
    for name in "${names[@]}"; do
      out=$(wrk -t1 -c"$connections" -d"${seconds}s" -s "$script" "http://127.0.0.1:${ports[$name]}/webhook")
      non2xx=$(echo "$out" | awk '/Non-2xx/ { print $5 }')
      [ -z "$non2xx" ] || { echo "$name answered $non2xx non-2xx responses to $payload"; exit 1; }
      echo "$out" | awk '/Requests\/sec/ { print $2 }' >> "$work/$payload.$name"
    done
    echo "  $payload round $round of $rounds done"
  done
done

# ratios NAME PAYLOAD: NAME's per-round ratios to the floor, sorted; quartile Q: the Q-quantile of sorted numbers.
ratios() { paste "$work/$2.$1" "$work/$2.floor" | awk '{ printf "%.4f\n", $1 / $2 }' | sort -n; }
quartile() { awk -v q="$1" '{ v[NR] = $1 } END { i = 1 + (NR - 1) * q; lo = int(i); f = i - lo; printf "%.3f", v[lo] + (v[lo + 1] - v[lo]) * f }'; }

echo
echo "wrk -t1 -c$connections -d${seconds}s per server per round, $rounds interleaved rounds per payload"
echo "median requests per second; ratio = median of the per-round ratios to the floor [first quartile, third quartile]"
echo
header="| server"; rule="| ---"
for payload in "${payloads[@]}"; do header+=" | $payload req/s | of floor"; rule+=" | ---: | ---:"; done
echo "$header |"; echo "$rule |"
for name in "${names[@]}"; do
  row="| $name"
  for payload in "${payloads[@]}"; do
    r=$(ratios "$name" "$payload")
    row+=" | $(printf '%.0f' "$(median < "$work/$payload.$name")") | $(echo "$r" | quartile 0.5) [$(echo "$r" | quartile 0.25), $(echo "$r" | quartile 0.75)]"
  done
  echo "$row |"
done
if [ "${REDIS:-0}" = 1 ]; then
  echo
  echo "sample+redis as a ratio of sample, median of the per-round ratios [first quartile, third quartile]:"
  for payload in "${payloads[@]}"; do
    r=$(paste "$work/$payload.sample+redis" "$work/$payload.sample" | awk '{ printf "%.4f\n", $1 / $2 }' | sort -n)
    echo "  $payload: $(echo "$r" | quartile 0.5) [$(echo "$r" | quartile 0.25), $(echo "$r" | quartile 0.75)]"
  done
fi
echo
for name in "${names[@]}"; do
  echo "$name rounds: stop_request $(tr '\n' ' ' < "$work/stop_request.$name")| session_request $(tr '\n' ' ' < "$work/session_request.$name")"
done
echo
echo "| server | resident memory at start | after the run |"
echo "| --- | ---: | ---: |"
for name in "${names[@]}"; do
  echo "| $name | ${rss_start[$name]} MiB | $(rss "$name") MiB |"
done
