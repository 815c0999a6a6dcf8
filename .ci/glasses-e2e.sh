#!/usr/bin/env bash
# Drives the NativeAOT-published sample (folder $1) through a whole glasses session with the cloud emulator (built in
# Release by the build step): session webhook, connect, init and ack, subscriptions, the welcome screen, a transcription
# in and its display event out, speech, a managed stream, a tool call, a settings push, the webview signed in by the
# cloud's tokens, the stop webhook and a clean close, the stop handler run once.
# Prints "ok  NAME" or "FAIL NAME ..." per check; exits non-zero when any check fails.
set -uo pipefail
dir=$(cd "$1" && pwd)
root="$(cd "$(dirname "$0")/.." && pwd)"
emulator="$root/emulator/Mentra.Generated.Emulator/bin/Release/net10.0/Mentra.Generated.Emulator.dll"
failures=0
source "$(dirname "$0")/lib.sh"

out=$(printf 'hello from CI\n/await hello from CI\n/press\n/long\n/await index.m3u8\n/tool show_note text="milk and eggs"\n/await milk and eggs\n/set show_interim true\n/open\n/stop\n' | timeout 120 dotnet "$emulator" --run "$dir/Mentra.Generated.Sample" --port 0 --user ci@example.com 2>&1)
rc=$?
echo "$out" | sed 's/^/    /'

expect() { if grep -qF -- "$2" <<<"$out"; then ok "$1"; else fail "$1: the run printed no line with '$2'"; fi; }
expect "session_request answered 200 after the ack" 'session_request answered 200 {"status":"success"}'
expect "the app subscribed at compile time" 'Connected (1 socket); subscriptions: transcription:en-US, button_press.'
expect "the welcome screen ([OnConnected])" '|Captions are on. Start talking.'
expect "the transcription came back as a text wall" 'Saw "hello from CI" on the glasses.'
expect "a press spoke the last caption (speech)" '(speaker) "hello from CI"'
expect "a long press started a managed stream" '(camera) Managed stream managed-1: active'
expect "its URL came back on the display" 'Saw "index.m3u8" on the glasses.'
expect "a tool call reached the session (/tool)" '(assistant) show_note {"text":"milk and eggs"}: 200 {"status":"success","reply":"GIVE_APP_CONTROL_OF_TOOL_RESPONSE"}'
expect "the tool's note came back on the display" 'Saw "milk and eggs" on the glasses.'
expect "a settings push reached the live session (/settings)" '"sessionsUpdated":1}'
expect "the webview signed the user in and saw the pushed setting" '(phone) The webview answered 200: Captions Signed in as ci@example.com. Your glasses are connected; interim captions are on.'
expect "stop answered 200, clean close 1000" 'stop_request answered 200; the app closed the socket with 1000'
expect "the last caption was stored as the session ended (storage)" "The cloud's storage holds for ci@example.com: last_caption = hello from CI"
stops=$(grep -c 'Stop requested: user_disabled' <<<"$out")
if [ "$stops" = "1" ]; then ok "the stop handler ran once"; else fail "the stop handler ran $stops times"; fi
if [ "$rc" = "0" ]; then ok "the emulator's script passed"; else fail "the emulator exited $rc"; fi

exit $((failures > 0))
