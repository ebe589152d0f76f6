#!/usr/bin/env bash
# The Python client's and the Blender add-on's tests against a live API: starts the API on a free port with
# its own embedded MongoDB-wire and Redis under a temp dir (as scripts/fuzz.sh does), plus a render worker
# on the same services (same EMBEDDED_DATA_DIR, so it reuses what the API started), registers a studio
# through the development inbox, then in clients/python/.venv: ruff check, mypy --strict, pytest; then
# Blender headless (clients/blender/tests/test_publish.py). Ends with `python: N passed, N failed`
# (pytest's counts plus one for the Blender test, plus one failure each if ruff or mypy fail); exits
# non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
py="$root/clients/python"
venv="$py/.venv"
dir="$(mktemp -d /tmp/studio-python-XXXXXX)"
port=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
export PORT="$port" HOST=127.0.0.1 EMBEDDED_DATA_DIR="$dir" STORAGE_LOCAL_ROOT="$dir/storage" TUS_STAGING_DIR="$dir/tus" \
  LOG_LEVEL=error REDIS_KEY_PREFIX="studio-python-$$:" SIMULATED_RENDER_MS_PER_FRAME=20
set -a; . scripts/test-limits.env; set +a
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  npx tsx scripts/services-stop.ts >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT

# node itself, not an npx wrapper, so the kill in cleanup reaches the processes.
node --import tsx src/server.ts > "$dir/api.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 200); do curl -sf "http://127.0.0.1:$port/ready" >/dev/null && break; sleep 0.3; done
curl -sf "http://127.0.0.1:$port/ready" >/dev/null || { echo "the API did not become ready:"; tail -n 40 "$dir/api.log"; exit 1; }
# The worker finds the API's embedded services through EMBEDDED_DATA_DIR's state file.
node --import tsx src/workers/render.worker.ts > "$dir/render.log" 2>&1 &
pids+=($!)

email=python@studio.test password="python client password 1"
auth=$(npx tsx scripts/dev-register.ts "http://127.0.0.1:$port" "$dir/mail" "Python Studio" "$email" "$password")
export STUDIO_API_URL="http://127.0.0.1:$port" STUDIO_EMAIL="$email" STUDIO_PASSWORD="$password"
export STUDIO_ACCESS_TOKEN="$(node -pe 'JSON.parse(process.argv[1]).accessToken' "$auth")"
# Upload state files (default ~/.cache/studio-api) stay in the temp dir.
export XDG_CACHE_HOME="$dir/cache"

[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" show -q studio-api >/dev/null 2>&1 || {
  "$venv/bin/pip" install -q hatchling==1.27.0 editables==0.5
  "$venv/bin/pip" install -q --no-build-isolation -e "$py[dev]"
}

failed=0
passed=0
cd "$py"
if ! "$venv/bin/ruff" check; then failed=$((failed + 1)); fi
if ! "$venv/bin/mypy" --strict; then failed=$((failed + 1)); fi
"$venv/bin/pytest" -q --junitxml="$dir/pytest.xml" -p no:cacheprovider || true
read -r p f < <("$venv/bin/python" - "$dir/pytest.xml" <<'PY'
import sys, xml.etree.ElementTree as ET
try:
    root = ET.parse(sys.argv[1]).getroot()
except (OSError, ET.ParseError):
    print(0, 1)  # pytest did not even report: count the run as one failure
    raise SystemExit
suites = [root] if root.tag == "testsuite" else list(root)
total = sum(int(s.get("tests", 0)) for s in suites)
bad = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
skipped = sum(int(s.get("skipped", 0)) for s in suites)
print(total - bad - skipped, bad)
PY
)
passed=$((passed + p)); failed=$((failed + f))
cd "$root"

# Blender, headless: installs the add-on from clients/blender, publishes a saved .blend and renders it.
echo "blender: $(blender --version 2>/dev/null | head -n 1)"
# BLENDER_USER_SCRIPTS: the add-on is installed into the temp dir, never into the user's Blender config.
if STUDIO_TEST_TMP="$dir/blender" BLENDER_USER_SCRIPTS="$dir/blender/user-scripts" blender -b -Y --factory-startup --python-exit-code 1 \
    --python "$root/clients/blender/tests/test_publish.py" > "$dir/blender.log" 2>&1; then
  grep -E '^(PASS|studio:)' "$dir/blender.log" || true
  passed=$((passed + 1))
else
  echo "blender test failed:"; tail -n 40 "$dir/blender.log"
  failed=$((failed + 1))
fi

echo "python: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
