#!/usr/bin/env bash
# Packs every package this repository ships into a temporary folder feed, then uses them as a new user would, in a
# temporary directory outside the repository (no Directory.Build.props, no project reference helps):
#   checks the packages' contents; installs the template from its .nupkg; creates an app with its test project;
#   restores Mentra.Generated of exactly the packed version from the feed (everything else from the usual registry);
#   builds with warnings as errors; removes the [OnStop] handler and expects MENTRA101 at the class (the analyzers run
#   from the package); runs the template's tests (one drives a whole session with Mentra.Generated.Testing); adds
#   Mentra.Generated.OpenTelemetry (AddMentraInstrumentation for traces and metrics) and Mentra.Generated.Redis
#   (AddMentraRedis when Mentra:Redis is set); publishes with NativeAOT (no
#   trimming or AOT warning), starts the binary with its sessions off, posts a session_request and a stop_request, checks the answers and /health; installs
#   the emulator as a dotnet tool from the feed and has it run a whole glasses session on the published app (welcome,
#   a transcription shown back, a clean stop).
# Prints "ok   NAME" or "FAIL NAME ..." per check; exits non-zero when any check fails.
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/mentra-packages.XXXXXX)
feed="$work/feed"
hive="$work/template-hive"
app="$work/GlassesDemo"
failures=0
pid=""
source "$repo/.ci/lib.sh"
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$work"' EXIT

# run NAME COMMAND...: runs the command with its output in a log, and reports it; the log's end is shown on failure.
run() {
  local name=$1; shift
  "$@" > "$work/step.log" 2>&1
  local rc=$?
  if [ $rc -eq 0 ]; then ok "$name"; return 0; fi
  fail "$name (exit $rc):"; tail -30 "$work/step.log"; return 1
}

version=$(dotnet msbuild "$repo/runtime/Mentra.Generated.csproj" -getProperty:Version)
echo "packing version $version into $feed"
# Every packable project of the solution, so that a package added later is packed here too; it must then be used
# below as well, or this step fails.
run "pack every packable project of the solution" dotnet pack "$repo/Mentra.Generated.sln" -c Release -o "$feed" || exit 1
packed=$(cd "$feed" && ls -- *.nupkg | sort | tr '\n' ' ')
if [ "$packed" = "Mentra.Generated.$version.nupkg Mentra.Generated.Emulator.$version.nupkg Mentra.Generated.OpenTelemetry.$version.nupkg Mentra.Generated.Redis.$version.nupkg Mentra.Generated.Templates.$version.nupkg Mentra.Generated.Testing.$version.nupkg " ]; then
  ok "packed exactly the packages this step uses: $packed"
else
  fail "packed $packed; every package must be installed and used in this step"
fi

# --- The package's contents -----------------------------------------------------------------------------------------
package="$feed/Mentra.Generated.$version.nupkg"
contents=$(unzip -Z1 "$package")
for file in lib/net10.0/Mentra.Generated.dll lib/net10.0/Mentra.Generated.xml README.md \
  analyzers/dotnet/roslyn4.14/cs/Mentra.Generated.Generator.dll \
  analyzers/dotnet/roslyn4.14/cs/Mentra.Generated.Analyzers.dll \
  analyzers/dotnet/roslyn4.14/cs/Mentra.Generated.CodeFixes.dll; do
  if grep -qx "$file" <<< "$contents"; then ok "package holds $file"; else fail "package lacks $file"; fi
done
unexpected=$(grep -vE '^(_rels/|package/|\[Content_Types\]\.xml|Mentra\.Generated\.nuspec|README\.md|icon\.png|lib/net10\.0/Mentra\.Generated\.(dll|xml)|analyzers/dotnet/roslyn4\.14/cs/Mentra\.Generated\.(Generator|Analyzers|CodeFixes)\.dll)' <<< "$contents")
if [ -z "$unexpected" ]; then ok "package holds nothing else (no Roslyn, tests, benchmarks, samples)"; else fail "package holds more: $unexpected"; fi
nuspec=$(unzip -p "$package" Mentra.Generated.nuspec)
# One dependency, chosen: Microsoft's JWT library checks the cloud's signed user tokens of webview sign-in (AOT-clean).
deps=$(grep -o '<dependency id="[^"]*" version="[^"]*"' <<< "$nuspec" | sort | tr '\n' ' ')
if [ "$deps" = '<dependency id="Microsoft.IdentityModel.JsonWebTokens" version="8.23.0" ' ]; then ok "package depends only on the ASP.NET Core framework and Microsoft.IdentityModel.JsonWebTokens"; else fail "package depends on other packages: $deps"; fi
for field in '<license type="expression">' '<readme>README.md</readme>' '<projectUrl>' '<releaseNotes>' '<tags>' "<version>$version</version>"; do
  if grep -qF "$field" <<< "$nuspec"; then ok "nuspec has $field"; else fail "nuspec lacks $field"; fi
done
if [ -f "$feed/Mentra.Generated.$version.snupkg" ]; then ok "symbols package"; else fail "no symbols package"; fi
# Every package has the icon (issue 21); the tool carries no Web SDK leftovers.
for nupkg in "$feed"/*.nupkg; do
  name=$(basename "$nupkg")
  files=$(unzip -Z1 "$nupkg"); spec=$(unzip -p "$nupkg" '*.nuspec') # whole, not piped into grep -q (pipefail and SIGPIPE)
  if grep -qx icon.png <<< "$files" && grep -qF '<icon>icon.png</icon>' <<< "$spec"; then ok "$name has its icon"; else fail "$name has no icon"; fi
done
leftovers=$(unzip -Z1 "$feed/Mentra.Generated.Emulator.$version.nupkg" | grep -iE 'web\.config|staticwebassets|appsettings' || true)
if [ -z "$leftovers" ]; then ok "the emulator tool's package holds no web.config or static assets manifest"; else fail "the emulator tool's package holds: $leftovers"; fi
template_json=$(unzip -p "$feed/Mentra.Generated.Templates.$version.nupkg" content/mentra-app/.template.config/template.json)
if grep -qF "\"value\": \"$version\"" <<< "$template_json"; then ok "template creates apps of version $version"; else fail "template is not stamped with $version"; fi

# --- A new app from the template, outside the repository -------------------------------------------------------------
cat > "$work/NuGet.config" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <!-- The packed packages from the folder feed; everything else from the sources the machine already has. -->
  <packageSources>
    <add key="mentra-local" value="$feed" />
  </packageSources>
  <packageSourceMapping>
    <packageSource key="mentra-local">
      <package pattern="Mentra.Generated" />
      <package pattern="Mentra.Generated.*" />
    </packageSource>
    <packageSource key="nuget.org">
      <package pattern="*" />
    </packageSource>
  </packageSourceMapping>
</configuration>
EOF
# A package of the same version restored before is not restored again: drop it, so that this build's is used.
packages=$(dotnet nuget locals global-packages --list | sed 's/^global-packages: //')
rm -rf "$packages"/mentra.generated "$packages"/mentra.generated.*

cd "$work" || exit 1
run "dotnet new install the template package" dotnet new install "$feed/Mentra.Generated.Templates.$version.nupkg" --debug:custom-hive "$hive" || exit 1
run "dotnet new mentra-app --tests" dotnet new mentra-app -n GlassesDemo --tests -o "$app" --debug:custom-hive "$hive" || exit 1
cd "$app" || exit 1
# The package name comes from -n when --package-name is not given (issue 21).
# With --tests: the app in src/, its tests in tests/, a solution at the root (issue 21).
project="src/GlassesDemo"
if [ -f GlassesDemo.slnx ] && [ -f "$project/GlassesDemo.csproj" ] && [ -f tests/GlassesDemo.Tests/GlassesDemo.Tests.csproj ] && [ ! -e GlassesDemo.csproj ]; then
  ok "--tests lays out a solution: $project and tests/GlassesDemo.Tests"
else
  fail "unexpected layout: $(find . -name '*.csproj' -o -name '*.slnx' | sort | tr '\n' ' ')"
fi
if grep -qF '"PackageName": "com.example.glassesdemo"' "$project/appsettings.json"; then ok "the package name defaults to com.example.<name>"; else fail "appsettings.json: $(cat "$project/appsettings.json")"; fi
if grep -qF "Include=\"Mentra.Generated\" Version=\"$version\"" "$project/GlassesDemo.csproj"; then ok "app references Mentra.Generated $version"; else fail "app does not reference $version"; fi
run "app restores and builds with warnings as errors" dotnet build -warnaserror || exit 1
# restored_is_packed ID: whether the package ID that restore put in the global packages folder is the one in the feed.
restored_is_packed() {
  local id=$1 lower restored
  lower=$(tr '[:upper:]' '[:lower:]' <<< "$id")
  restored=$(find "$packages/$lower" -name "$lower.$version.nupkg" 2>/dev/null | head -1)
  [ -n "$restored" ] && cmp -s "$restored" "$feed/$id.$version.nupkg"
}
if restored_is_packed Mentra.Generated; then ok "the restored package is the one just packed"; else fail "the restored package is not the one just packed"; fi

cp "$project/GlassesApp.cs" "$work/GlassesApp.cs.orig"
sed -i 's/^    \[OnStop\]$//' "$project/GlassesApp.cs"
line=$(grep -n 'public partial class GlassesApp' "$project/GlassesApp.cs" | cut -d: -f1)
dotnet build > "$work/missing.log" 2>&1
if grep -qE "GlassesApp\.cs\($line,[0-9]+\): (error|warning) MENTRA101: App class 'GlassesApp' has no \[OnStop\] handler" "$work/missing.log"; then
  ok "without [OnStop], MENTRA101 is reported at the class (line $line): the analyzers run from the package"
else
  fail "MENTRA101 not reported at GlassesApp.cs line $line:"; grep -E "MENTRA|error" "$work/missing.log" | head
fi
cp "$work/GlassesApp.cs.orig" "$project/GlassesApp.cs"

# dotnet test at the created root runs the template's tests (issue 21: it used to pass while running nothing).
dotnet test > "$work/root-test.log" 2>&1
root_rc=$?
if [ $root_rc -eq 0 ] && grep -qE 'Passed!.*Passed: *[1-9]' "$work/root-test.log"; then
  ok "dotnet test at the app's root runs the template's tests: $(grep -oE 'Passed: *[0-9]+' "$work/root-test.log" | head -1)"
else
  fail "dotnet test at the app's root (exit $root_rc):"; tail -20 "$work/root-test.log"
fi
if restored_is_packed Mentra.Generated.Testing; then ok "the template's tests use the Mentra.Generated.Testing just packed"; else fail "the template's tests did not restore the packed Mentra.Generated.Testing"; fi

# The session test must not depend on timing: 20 runs in a row on one core, where a race shows most often (issue 19).
if command -v taskset > /dev/null; then
  runs_ok=0
  for i in $(seq 1 20); do
    if taskset -c 0 dotnet test tests/GlassesDemo.Tests --no-build > "$work/test-run-$i.log" 2>&1; then
      runs_ok=$((runs_ok + 1))
    else
      echo "run $i failed:"; grep -E "Failed|Error|Assert|TimeoutException" "$work/test-run-$i.log" | head -10
      break
    fi
  done
  if [ "$runs_ok" -eq 20 ]; then ok "the template's tests pass 20 runs in a row on one core"; else fail "the template's tests failed on run $((runs_ok + 1)) of 20 on one core"; fi
else
  fail "taskset is missing (util-linux): the one-core runs of the template's tests cannot be made"
fi

# OpenTelemetry as an app adds it: the package from the feed, one call each for traces and metrics; the NativeAOT
# publish below then covers it too.
run "app adds Mentra.Generated.OpenTelemetry from the feed" dotnet add "$project/GlassesDemo.csproj" package Mentra.Generated.OpenTelemetry --version "$version"
run "app adds OpenTelemetry.Extensions.Hosting" dotnet add "$project/GlassesDemo.csproj" package OpenTelemetry.Extensions.Hosting --version 1.21.0
sed -i '/AddMentraApp<GlassesApp>/a builder.Services.AddOpenTelemetry().WithTracing(tracing => tracing.AddMentraInstrumentation()).WithMetrics(metrics => metrics.AddMentraInstrumentation());' "$project/Program.cs"
sed -i '1i using OpenTelemetry.Metrics;\nusing OpenTelemetry.Trace;' "$project/Program.cs"
# And its own health checks at another path, which report the SDK's 'mentra' check (issue 21).
sed -i '/app.MapMentraWebhooks();/a app.MapHealthChecks("/healthz");' "$project/Program.cs"
if grep -qF 'AddMentraInstrumentation' "$project/Program.cs"; then ok "app registers AddMentraInstrumentation for tracing and metrics"; else fail "Program.cs was not changed: $(cat "$project/Program.cs")"; fi
run "app with OpenTelemetry builds with warnings as errors" dotnet build -warnaserror
if restored_is_packed Mentra.Generated.OpenTelemetry; then ok "the restored Mentra.Generated.OpenTelemetry is the one just packed"; else fail "the restored Mentra.Generated.OpenTelemetry is not the one just packed"; fi

# Several replicas as an app adds them (issue 24): the Redis package from the feed, used when Mentra:Redis names a
# server; the NativeAOT publish below covers it too (StackExchange.Redis included).
redis_nuspec=$(unzip -p "$feed/Mentra.Generated.Redis.$version.nupkg" Mentra.Generated.Redis.nuspec)
redis_deps=$(grep -o '<dependency id="[^"]*" version="[^"]*"' <<< "$redis_nuspec" | sort | tr '\n' ' ')
if [ "$redis_deps" = "<dependency id=\"Mentra.Generated\" version=\"$version\" <dependency id=\"StackExchange.Redis\" version=\"3.4.35\" " ]; then ok "Mentra.Generated.Redis depends on Mentra.Generated $version and StackExchange.Redis 3.4.35 only"; else fail "Mentra.Generated.Redis depends on: $redis_deps"; fi
run "app adds Mentra.Generated.Redis from the feed" dotnet add "$project/GlassesDemo.csproj" package Mentra.Generated.Redis --version "$version"
sed -i '/AddMentraApp<GlassesApp>/a if (builder.Configuration["Mentra:Redis"] is { Length: > 0 } redis) { builder.Services.AddMentraRedis(redis); }' "$project/Program.cs"
run "app with Mentra.Generated.Redis builds with warnings as errors" dotnet build -warnaserror
if restored_is_packed Mentra.Generated.Redis; then ok "the restored Mentra.Generated.Redis is the one just packed"; else fail "the restored Mentra.Generated.Redis is not the one just packed"; fi

dotnet publish "$project" -c Release -r linux-x64 -o "$work/published" > "$work/publish.log" 2>&1
publish_rc=$?
if [ $publish_rc -ne 0 ] || grep -qE ": warning (IL|CS|AOT)" "$work/publish.log"; then
  fail "NativeAOT publish (exit $publish_rc) or a trimming/AOT warning:"; grep -E "warning|error" "$work/publish.log" | head
else
  ok "app (with Mentra.Generated.OpenTelemetry and Mentra.Generated.Redis) publishes with NativeAOT and no trimming or AOT warning"
  log="$work/app.log"
  # Webhooks alone first (its sessions' WebSocket off: the payloads name the real cloud); the emulator below runs a whole session.
  # From its own folder, its content root, as it runs when deployed: its appsettings.json holds its package name.
  (cd "$work/published" && exec ./GlassesDemo --urls http://127.0.0.1:0 --Mentra:ConnectAppSessions=false) > "$log" 2>&1 &
  pid=$!
  base=$(listen "$log")
  if [ -z "$base" ]; then
    fail "published app did not start:"; cat "$log"
  else
    session='{"type":"session_request","sessionId":"alice@example.com-com.example.glassesdemo","userId":"alice@example.com","timestamp":"2026-06-27T21:54:26.123Z","mentraOSWebsocketUrl":"wss://cloud.mentra.glass/app-ws"}'
    stop='{"type":"stop_request","sessionId":"alice@example.com-com.example.glassesdemo","userId":"alice@example.com","timestamp":"2026-06-27T22:10:02.456Z","reason":"user_disabled"}'
    check "published app answers a session_request" 200 '{"status":"success"}' -X POST "$base/webhook" -H 'Content-Type: application/json' --data-binary "$session"
    check "published app counts the session" 200 '{"status":"healthy","app":"com.example.glassesdemo","activeSessions":1}' "$base/health"
    check "published app answers a stop_request" 200 '{"status":"success"}' -X POST "$base/webhook" -H 'Content-Type: application/json' --data-binary "$stop"
    check "published app's session ends" 200 '{"status":"healthy","app":"com.example.glassesdemo","activeSessions":0}' "$base/health"
    check "published app's own health checks include the SDK's, which is healthy" 200 'Healthy' "$base/healthz"

    kill $pid; wait $pid 2>/dev/null; pid=""

    # The emulator, as the dotnet tool a developer installs, starts the published app and a whole glasses session on it.
    if run "dotnet tool install the emulator from the feed" dotnet tool install Mentra.Generated.Emulator --version "$version" --tool-path "$work/tools"; then
      help=$("$work/tools/mentra-emulator" --help 2>&1)
      if grep -qF "Usage: mentra-emulator" <<< "$help"; then ok "mentra-emulator --help"; else fail "mentra-emulator --help printed: $help"; fi
      told=$(printf 'hello glasses\n/await hello glasses\n/stop\n' | timeout 120 "$work/tools/mentra-emulator" --run "$work/published/GlassesDemo" --package com.example.glassesdemo --api-key dev-key --port 0 2>&1)
      if grep -qF 'session_request answered 200 {"status":"success"}' <<< "$told"; then ok "the installed emulator runs the published app and starts a session"; else fail "the installed emulator: $told"; fi
      if grep -qF 'Connected (1 socket); subscriptions: transcription:en-US.' <<< "$told" && grep -qF '|Hello from GlassesDemo. Say something.' <<< "$told"; then
        ok "the template's app connects, subscribes at compile time and shows its welcome"
      else
        fail "no connection, subscription or welcome: $told"
      fi
      if grep -qF 'Saw "hello glasses" on the glasses.' <<< "$told"; then ok "the template's app shows a transcription back on the glasses"; else fail "the transcription did not come back: $told"; fi
      if grep -qF 'stop_request answered 200; the app closed the socket with 1000' <<< "$told"; then ok "the template's app stops cleanly"; else fail "no clean stop: $told"; fi

      # Ctrl+C in a terminal (a pseudo-terminal from script(1); the byte 0x03 is the key): the emulator stops the session
      # as the cloud would, so the app's stop handler runs, then the app, and both end (issue 21).
      if command -v script > /dev/null; then
        ( sleep 15; printf '\003'; sleep 20 ) | timeout 90 script -qfec "$work/tools/mentra-emulator --run $work/published/GlassesDemo --port 0" /dev/null > "$work/ctrlc.log" 2>&1
        interrupted=$(tr -d '\r' < "$work/ctrlc.log")
        # No --package: the emulator uses the app's own (issue 21, item 1).
        if grep -qF "session of com.example.glassesdemo at" <<< "$interrupted"; then ok "without --package, the emulator uses the app's own package name"; else fail "the emulator did not use the app's package name: $interrupted"; fi
        if grep -qF 'Ctrl+C: stopping the session and the app' <<< "$interrupted" && grep -qF 'stop_request answered 200.' <<< "$interrupted" \
          && grep -qE 'Session .* stopped: user_disabled' <<< "$interrupted" && grep -qF 'Stopped: the app and the emulated cloud.' <<< "$interrupted"; then
          ok "Ctrl+C under a terminal stops the session (the app's stop handler runs), the app and the emulator"
        else
          fail "Ctrl+C under a terminal: $interrupted"
        fi
        left=$(pgrep -f "$work/published/GlassesDemo" || true) # only this step's own binary, in its temporary folder
        if [ -n "$left" ]; then fail "the app still runs after Ctrl+C (pid $left)"; kill $left; else ok "no app process is left after Ctrl+C"; fi
      else
        fail "script (util-linux) is missing: Ctrl+C under a terminal cannot be checked"
      fi

      # An app that forgot app.MapMentraWebhooks(): the emulator says so within seconds, with the fix (issue 21).
      forgot="$work/Forgot"
      cp -r "$app/$project" "$forgot" && rm -rf "$forgot/bin" "$forgot/obj"
      sed -i '/MapMentraWebhooks/d' "$forgot/Program.cs"
      if dotnet build "$forgot/GlassesDemo.csproj" -o "$forgot/out" > "$work/forgot-build.log" 2>&1; then
        started=$(date +%s)
        said=$(printf '/quit\n' | timeout 60 "$work/tools/mentra-emulator" --run "$forgot/out/GlassesDemo.dll" --port 0 2>&1)
        took=$(( $(date +%s) - started ))
        if grep -qF 'Is app.MapMentraWebhooks() missing' <<< "$said" && [ "$took" -le 10 ]; then
          ok "an app without MapMentraWebhooks() is told so by the emulator in ${took} s"
        else
          fail "an app without MapMentraWebhooks() (${took} s): $said"
        fi
        if grep -qF 'no MentraOS endpoint is mapped' <<< "$said"; then ok "the SDK warns at start that no endpoint is mapped"; else fail "no start warning from the SDK: $said"; fi
      else
        fail "the app without MapMentraWebhooks() does not build:"; tail -20 "$work/forgot-build.log"
      fi
    fi
  fi
fi

exit $((failures > 0))
