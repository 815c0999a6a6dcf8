#!/usr/bin/env bash
# Load test, side by side in one run: the NativeAOT sample server against the incumbent @mentra/sdk 2.1.29
# (Node.js, Express), both on loopback, the same requests from wrk. Needs wrk (apt-get install wrk) and npm.
# Usage: bash benchmarks/load/run.sh [seconds] [connections]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-15}
connections=${2:-32}
work=$(mktemp -d)
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk"; exit 1; }

echo "publishing the sample with NativeAOT..."
dotnet publish samples/Mentra.Generated.Sample -c Release -r linux-x64 -o "$work/sample" >/dev/null
echo "installing @mentra/sdk@2.1.29..."
(cd "$work" && npm init -y >/dev/null && npm install --silent @mentra/sdk@2.1.29 >/dev/null && cp "$OLDPWD/benchmarks/load/incumbent.mjs" .)

wait_for() { for _ in $(seq 1 100); do curl -sf "$1" >/dev/null && return 0; sleep 0.1; done; echo "server at $1 did not start"; return 1; }

measure() { # name url-base
  local name=$1 base=$2 pid=$3
  wrk -t1 -c"$connections" -d3s -s benchmarks/load/stop_request.lua "$base/webhook" >/dev/null   # warm-up
  for target in webhook health; do
    if [ "$target" = webhook ]; then
      out=$(wrk -t1 -c"$connections" -d"${seconds}s" --latency -s benchmarks/load/stop_request.lua "$base/webhook")
    else
      out=$(wrk -t1 -c"$connections" -d"${seconds}s" --latency "$base/health")
    fi
    rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    p50=$(echo "$out" | awk '$1=="50%" {print $2}')
    p99=$(echo "$out" | awk '$1=="99%" {print $2}')
    errors=$(echo "$out" | awk '/Non-2xx/ {print $5}')
    echo "| $name | POST /webhook stop_request | GET /health |" >/dev/null
    printf '| %s | %s | %s | %s | %s | %s |\n' "$name" "$target" "$rps" "$p50" "$p99" "${errors:-0}"
  done
  printf '| %s | resident memory after the run | %s MiB |\n' "$name" "$(( $(ps -o rss= -p "$pid") / 1024 ))"
}

echo
echo "| server | endpoint | requests/s | p50 | p99 | non-2xx |"
echo "| --- | --- | ---: | ---: | ---: | ---: |"
(cd "$work/sample" && exec ./Mentra.Generated.Sample --urls http://127.0.0.1:3311 --Logging:LogLevel:Default=Warning >/dev/null 2>&1) &
sample=$!
wait_for http://127.0.0.1:3311/health
measure "Mentra.Generated sample (NativeAOT)" http://127.0.0.1:3311 "$sample"
kill $sample; wait $sample 2>/dev/null || true

(cd "$work" && PORT=3312 exec node incumbent.mjs >/dev/null 2>&1) &
node=$!
wait_for http://127.0.0.1:3312/health
measure "@mentra/sdk 2.1.29 (Node $(node --version))" http://127.0.0.1:3312 "$node"
kill $node; wait $node 2>/dev/null || true
rm -rf "$work"
