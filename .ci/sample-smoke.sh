#!/usr/bin/env bash
# Starts the NativeAOT-published sample (folder $1) on a free loopback port, sends it every webhook example
# from the docs and several bad inputs, checks status and body of each answer, and stops it. This step checks the
# webhook contract, so the sample runs with app sessions off (the docs examples name the real cloud, which CI does not
# reach); .ci/glasses-e2e.sh drives a whole glasses session against the emulator.
# Prints "ok  NAME" or "FAIL NAME ..." per check; exits non-zero when any check fails.
set -uo pipefail
dir=$1
payloads="$(cd "$(dirname "$0")/.." && pwd)/tests/Mentra.Generated.Tests/Payloads"
log=$(mktemp)
failures=0
source "$(dirname "$0")/lib.sh"

cd "$dir"
export MENTRAOS_API_KEY=smoke-key
Mentra__ConnectAppSessions=false ./Mentra.Generated.Sample --urls http://127.0.0.1:0 >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null' EXIT

base=$(listen "$log")
if [ -z "$base" ]; then
  echo "FAIL sample did not start:"; cat "$log"; exit 1
fi
echo "sample listening on $base"

post() { check "$1" "$2" "$3" -X POST "$base/webhook" -H 'Content-Type: application/json' "${@:4}"; }

success='{"status":"success"}'
check "health before sessions" 200 '{"status":"healthy","app":"org.example.captions","activeSessions":0}' "$base/health"
for example in session_request stop_request server_registration session_recovery server_heartbeat; do
  post "docs example $example" 200 "$success" --data-binary "@$payloads/docs/$example.json"
done
post "real-wire session_request" 200 "$success" --data-binary "@$payloads/wire/session_request.json"
post "duplicate session_request" 200 "$success" --data-binary "@$payloads/wire/session_request.json"
post "session_request with type last" 200 "$success" --data-binary "@$payloads/wire/session_request_type_last.json"
check "health counts the sessions" 200 '{"status":"healthy","app":"org.example.captions","activeSessions":2}' "$base/health"

post "malformed json" 400 '{"status":"error","message":"Invalid webhook: Expected depth to be zero at the end of the JSON payload. There is an open JSON object or array that should be closed. Path: $ | LineNumber: 0 | BytePositionInLine: 1."}' --data-binary '{'
post "empty body" 400 '{"status":"error","message":"The body is empty; a webhook is a JSON object"}' --data-binary ''
post "json array" 400 '{"status":"error","message":"Invalid webhook: A WebhookRequest must be a JSON object, but the JSON is an array."}' --data-binary '[]'
post "missing field" 400 '{"status":"error","message":"Invalid webhook: The required property '"'"'reason'"'"' is missing from the stop_request."}' --data-binary '{"type":"stop_request","sessionId":"s","userId":"u","timestamp":"t"}'
post "unknown type" 400 '{"status":"error","message":"Unknown webhook type: tool_call"}' --data-binary '{"type":"tool_call","sessionId":"s","userId":"u","timestamp":"t"}'
post "forged websocket url" 400 '{"status":"error","message":"Untrusted WebSocket URL: the host '"'"'evil.example'"'"' is not on the allow-list"}' --data-binary '{"type":"session_request","sessionId":"s","userId":"u","timestamp":"t","websocketUrl":"wss://evil.example/ws"}'
post "plain ws outside development" 400 '{"status":"error","message":"Untrusted WebSocket URL: plain ws to loopback is not allowed here (set AllowInsecureLoopbackWebSocket)"}' --data-binary '{"type":"session_request","sessionId":"s","userId":"u","timestamp":"t","websocketUrl":"ws://localhost:8002/app-ws"}'
check "missing content type" 415 '{"status":"error","message":"The Content-Type must be application/json"}' -X POST "$base/webhook" -H 'Content-Type:' --data-binary "@$payloads/docs/stop_request.json"
head -c 70000 /dev/zero | tr '\0' ' ' > "$log.big"
post "body over 64 KiB" 413 '{"status":"error","message":"The body is larger than 65536 bytes"}' --data-binary "@$log.big"
# The cloud's other calls: the settings push (no credential), the AI tool call (its hashed key), and the webview sign-in.
check "settings push without a live session" 200 '{"status":"success","message":"Settings updated successfully","sessionsUpdated":0}' -X POST "$base/settings" -H 'Content-Type: application/json' --data-binary '{"userIdForSettings":"alice@example.com","settings":[{"key":"show_interim","value":true}]}'
check "settings push missing its user" 400 '{"status":"error","message":"Invalid settings push: The required property '"'"'userIdForSettings'"'"' is missing from the SettingsPush."}' -X POST "$base/settings" -H 'Content-Type: application/json' --data-binary '{"settings":[]}'
check "tool call without the app's key" 401 '{"status":"error","message":"The call does not carry this app'"'"'s key (X-App-API-Key)"}' -X POST "$base/tool" -H 'Content-Type: application/json' --data-binary '{"toolId":"show_note","userId":"alice@example.com","toolParameters":{"text":"hi"}}'
hashed=$(printf '%s' "$MENTRAOS_API_KEY" | sha256sum | cut -d' ' -f1)
check "tool call outside a session" 200 '{"status":"success","reply":"Your glasses are not connected to Captions."}' -X POST "$base/tool" -H 'Content-Type: application/json' -H "X-App-API-Key: $hashed" --data-binary '{"toolId":"show_note","userId":"alice@example.com","toolParameters":{"text":"hi"}}'
check "tool call missing a parameter" 400 '{"status":"error","message":"The tool '"'"'show_note'"'"' needs its parameter '"'"'text'"'"'"}' -X POST "$base/tool" -H 'Content-Type: application/json' -H "X-App-API-Key: $hashed" --data-binary '{"toolId":"show_note","userId":"alice@example.com"}'
check "webview without a credential" 401 '' "$base/webview"
check "webview with a forged user token" 401 '' "$base/webview?aos_signed_user_token=eyJhbGciOiJub25lIn0.eyJzdWIiOiJtYWxsb3J5In0."
check "health after bad inputs" 200 '{"status":"healthy","app":"org.example.captions","activeSessions":2}' "$base/health"

exit $((failures > 0))
