#!/usr/bin/env bash
# App sessions side by side: the NativeAOT sample (live captions) and the same app on @mentra/sdk 2.1.29 (Node.js),
# each driven by the cloud emulator through FIRST then TOTAL idle sessions and three message phases, measured from
# /proc: CPU per session set-up, resident memory per additional idle session, CPU per transcription message (a flood on
# 1 and on 100 sessions; then RATE a second on each of PACED sessions for SECONDS, a speaking pace). Needs node and npm.
# Usage: bash benchmarks/sessions/run.sh   (FIRST=1000 TOTAL=10000 MESSAGES=20000 PACED=1000 RATE=10 SECONDS=20)
set -euo pipefail
cd "$(dirname "$0")/../.."
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dotnet publish samples/Mentra.Generated.Sample -c Release -r linux-x64 -o "$work/sample" >/dev/null
dotnet build benchmarks/sessions/SessionBench -c Release -o "$work/bench" >/dev/null
(cd "$work" && npm init -y >/dev/null && npm install --silent @mentra/sdk@2.1.29 >/dev/null && cp "$OLDPWD/benchmarks/sessions/incumbent-captions.mjs" .)
echo "ulimit -n $(ulimit -n); FIRST=${FIRST:-1000} TOTAL=${TOTAL:-10000} MESSAGES=${MESSAGES:-20000}"
dotnet "$work/bench/SessionBench.dll" Mentra.Generated "$work/sample/Mentra.Generated.Sample"
dotnet "$work/bench/SessionBench.dll" "@mentra/sdk" node "$work/incumbent-captions.mjs"
