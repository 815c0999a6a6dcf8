#!/usr/bin/env bash
# Two replicas of the NativeAOT-published sample (folder $1) sharing their sessions through a real redis-server, with
# the cloud emulator in front of them as a load balancer that is not sticky (each call to the next replica): the
# session starts on one, and the tool call, the settings push and the stop that land on the other reach it.
# Prints "ok  NAME" or "FAIL NAME ..." per check; exits non-zero when any check fails.
set -uo pipefail
dir=$(cd "$1" && pwd)
root="$(cd "$(dirname "$0")/.." && pwd)"
emulator="$root/emulator/Mentra.Generated.Emulator/bin/Release/net10.0/Mentra.Generated.Emulator.dll"
failures=0
source "$(dirname "$0")/lib.sh"
logs=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done' EXIT

# A free loopback port for Redis: one that nothing answers on.
port=""
for candidate in $(shuf -i 20000-45000 -n 20); do
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then port=$candidate; break; fi
done
redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize no --loglevel warning --dir "$logs" >"$logs/redis.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do
  [ "$(redis-cli -p "$port" ping 2>/dev/null)" = "PONG" ] && break
  sleep 0.1
done
if [ "$(redis-cli -p "$port" ping 2>/dev/null)" = "PONG" ]; then ok "redis-server runs on 127.0.0.1:$port"; else fail "redis-server did not start: $(cat "$logs/redis.log")"; exit 1; fi

urls=()
for replica in a b; do
  env PACKAGE_NAME=org.example.captions MENTRAOS_API_KEY=replicas-key Mentra__AllowInsecureLoopbackWebSocket=true \
    Mentra__Redis="127.0.0.1:$port" "Logging__LogLevel__Mentra.Generated=Debug" \
    "$dir/Mentra.Generated.Sample" --urls http://127.0.0.1:0 >"$logs/$replica.log" 2>&1 &
  pids+=($!)
  url=$(listen "$logs/$replica.log")
  if [ -n "$url" ]; then ok "native replica $replica listens at $url"; else fail "replica $replica did not start: $(cat "$logs/$replica.log")"; exit 1; fi
  urls+=("$url")
done

# In turn: session_request to a, then the tool call to b, the settings push to a, the stop to b.
out=$(printf 'hello replicas\n/await hello replicas\n/tool show_note text="from the other replica"\n/await from the other replica\n/set show_interim true\n/stop\n' \
  | timeout 120 dotnet "$emulator" --app "${urls[0]}" --app "${urls[1]}" --package org.example.captions --api-key replicas-key --port 0 --user ci@example.com 2>&1)
rc=$?
echo "$out" | sed 's/^/    /'
expect() { if grep -qF -- "$2" <<<"$out"; then ok "$1"; else fail "$1: the run printed no line with '$2'"; fi; }
expect "session_request answered 200 on replica a" 'session_request answered 200 {"status":"success"}'
expect "the tool call that landed on replica b reached the session on a" '(assistant) show_note {"text":"from the other replica"}: 200 {"status":"success","reply":"GIVE_APP_CONTROL_OF_TOOL_RESPONSE"}'
expect "its note came back on the display" 'Saw "from the other replica" on the glasses.'
expect "the settings push reached the live session" '"sessionsUpdated":1}'
expect "the stop that landed on replica b closed a's socket with 1000" 'stop_request answered 200; the app closed the socket with 1000'
if [ "$rc" = "0" ]; then ok "the emulator's script passed"; else fail "the emulator exited $rc"; fi
stops=$(cat "$logs/a.log" "$logs/b.log" | grep -c 'Stop requested: user_disabled')
if [ "$stops" = "1" ]; then ok "the stop handler ran once, on one replica"; else fail "the stop handler ran $stops times"; fi
if grep -q 'Stop requested' "$logs/a.log"; then ok "the stop handler ran on the owner, replica a"; else fail "the stop handler did not run on replica a"; fi
for kind in "tool call" stop_request; do
  if grep -q "A $kind call was answered by the replica that holds its session, with 200" "$logs/b.log"; then ok "replica b forwarded the $kind to replica a"; else fail "replica b did not forward the $kind"; fi
done
leases=$(redis-cli -p "$port" zcard 'mentra:{org.example.captions}:leases')
if [ "$leases" = "0" ]; then ok "no lease is left in Redis"; else fail "$leases leases are left in Redis"; fi
if grep -qiE 'exception|fail:' "$logs/a.log" "$logs/b.log"; then fail "a replica logged a failure: $(grep -iE 'exception|fail:' "$logs/a.log" "$logs/b.log" | head -5)"; else ok "neither replica logged a failure"; fi

exit $((failures > 0))
