# Helpers shared by the CI scripts that run a server and check its answers. Source it; it counts into $failures.

# ok NAME / fail WHAT: one check's line, as .ci/run counts them; fail also counts into $failures.
ok() { echo "ok   $1"; }
fail() { echo "FAIL $1"; failures=$((failures + 1)); }

# listen LOG: waits up to 10 s for the ASP.NET Core server writing LOG to listen on loopback, then prints its base
# address ("http://127.0.0.1:PORT"); prints nothing if it never does.
listen() {
  local base=""
  for _ in $(seq 1 100); do
    base=$(grep -oE 'Now listening on: http://127\.0\.0\.1:[0-9]+' "$1" | head -1 | sed 's/Now listening on: //')
    [ -n "$base" ] && break
    sleep 0.1
  done
  echo "$base"
}

# check NAME EXPECTED_STATUS EXPECTED_BODY CURL_ARGS...: one request, its status and body compared exactly.
check() {
  local name=$1 status=$2 body=$3; shift 3
  local out code
  out=$(curl -s -o - -w '\n%{http_code}' --max-time 10 "$@")
  code=${out##*$'\n'}
  out=${out%$'\n'*}
  if [ "$code" = "$status" ] && [ "$out" = "$body" ]; then ok "$name"; else fail "$name: expected $status $body, got $code $out"; fi
}
