#!/usr/bin/env bash
# Runs every test project against a private, throw-away Azurite and ends with one line: `tests: N passed, N failed[, N skipped]`.
# Extra arguments go to `dotnet test` (e.g. ./test.sh --filter FullyQualifiedName~Blob).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root"

azurite="$root/node_modules/.bin/azurite"
if [[ ! -x "$azurite" ]]; then
  echo "test.sh: installing npm dev dependencies (Azurite)..."
  npm ci --no-audit --no-fund
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/lineage-test.XXXXXX")"
azurite_pid=""

cleanup() {
  if [[ -n "$azurite_pid" ]] && kill -0 "$azurite_pid" 2>/dev/null; then
    kill "$azurite_pid" 2>/dev/null || true
    wait "$azurite_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$work/azurite" "$work/results"
log="$work/azurite.log"

# Port 0 lets the OS pick free loopback ports (no race between choosing and binding); Azurite logs the ports it got.
"$azurite" --blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1 \
  --blobPort 0 --queuePort 0 --tablePort 0 \
  --skipApiVersionCheck --disableTelemetry --silent \
  --location "$work/azurite" >"$log" 2>&1 &
azurite_pid=$!

listening_port() { # service name (Blob|Queue|Table) -> port, once Azurite logged it
  sed -n "s|^Azurite $1 service is successfully listening at http://127\.0\.0\.1:\([0-9][0-9]*\).*|\1|p" "$log" | head -n 1
}

accepts() { # port -> success when a TCP connection to it succeeds
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

fail_start() {
  echo "test.sh: $1" >&2
  echo "--- Azurite log ($log) ---" >&2
  cat "$log" >&2 || true
  exit 1
}

blob_port="" queue_port="" table_port=""
for _ in $(seq 1 300); do # 30 s at 0.1 s
  kill -0 "$azurite_pid" 2>/dev/null || fail_start "Azurite exited during start-up."
  blob_port="$(listening_port Blob)" queue_port="$(listening_port Queue)" table_port="$(listening_port Table)"
  if [[ -n "$blob_port" && -n "$queue_port" && -n "$table_port" ]] \
    && accepts "$blob_port" && accepts "$queue_port" && accepts "$table_port"; then
    break
  fi
  blob_port=""
  sleep 0.1
done
[[ -n "$blob_port" ]] || fail_start "Azurite did not accept connections within 30 s."

# The well-known Azurite development account key (public, documented by Microsoft).
account_key="Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
export SERVERLESSLINEAGE_TEST_STORAGE="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$account_key;BlobEndpoint=http://127.0.0.1:$blob_port/devstoreaccount1;QueueEndpoint=http://127.0.0.1:$queue_port/devstoreaccount1;TableEndpoint=http://127.0.0.1:$table_port/devstoreaccount1;"
echo "test.sh: Azurite on 127.0.0.1 (blob $blob_port, queue $queue_port, table $table_port)"

set +e
dotnet test "$root/ServerlessLineage.sln" --nologo --logger trx --results-directory "$work/results" "$@"
test_rc=$?
set -e

# Sum the <Counters .../> of every TRX file (one per test project). Failures include errors, timeouts and aborts. A run whose
# outcome is not a success but whose counters show no failure crashed or was aborted (e.g. the test host died): it counts as
# one failure, so the closing line never reads as clean when tests did not run.
summary="$(find "$work/results" -name '*.trx' -print0 | xargs -0 -r cat | awk '
  /<ResultSummary / {
    outcome = $0
    sub(/.*outcome="/, "", outcome)
    sub(/".*/, "", outcome)
  }
  /<Counters / {
    line = $0
    delete run
    while (match(line, /[a-zA-Z]+="[0-9]+"/)) {
      pair = substr(line, RSTART, RLENGTH)
      line = substr(line, RSTART + RLENGTH)
      eq = index(pair, "=")
      run[substr(pair, 1, eq - 1)] = substr(pair, eq + 2, length(pair) - eq - 2) + 0
    }
    run_failed = run["failed"] + run["error"] + run["timeout"] + run["aborted"]
    if (outcome != "Completed" && outcome != "Passed" && outcome != "Warning" && run_failed == 0) aborted_runs++
    passed += run["passed"]
    failed += run_failed
    skipped += run["total"] - run["executed"]
  }
  END { printf "%d %d %d %d\n", passed, failed + aborted_runs, skipped, aborted_runs }')"
read -r passed failed skipped aborted_runs <<<"$summary"
# A non-zero exit with no failing test means something failed outside the tests (a build error, a crashed host): one failure.
if ((test_rc != 0 && failed == 0)); then
  echo "test.sh: dotnet test exited with $test_rc but no test failed (see the build output above); counting 1 failed." >&2
  failed=1
fi
if ((aborted_runs > 0)); then
  echo "test.sh: $aborted_runs test run(s) aborted or crashed before reporting (see the output above); each counts as 1 failed." >&2
fi

line="tests: $passed passed, $failed failed"
if ((skipped > 0)); then line="$line, $skipped skipped"; fi
echo "$line"

if ((test_rc != 0)); then exit "$test_rc"; fi
if ((failed > 0)); then exit 1; fi
exit 0
