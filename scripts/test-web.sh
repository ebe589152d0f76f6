#!/usr/bin/env bash
# The web app's checks: build the API and the web app (type-check, Vite build, bundle budget), the typed
# client up to date with the OpenAPI document, the Vitest component tests, then Playwright e2e + axe in
# Debian's chromium against the built API (started by web/e2e/global-setup.ts on embedded services under a
# temp dir). Screenshots land in web/screenshots/ (gitignored). Ends with `web: N passed, N failed`.
set -uo pipefail
cd "$(dirname "$0")/.."
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
passed=0 failed=0
step() { # name, command…: a check that counts as one test
  local name=$1; shift
  if "$@"; then passed=$((passed + 1)); else echo "web: step failed: $name" >&2; failed=$((failed + 1)); return 1; fi
}
finish() { echo "web: $passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit $?; }

if ! command -v chromium >/dev/null && [ -z "${CHROMIUM_PATH:-}" ]; then
  echo "chromium is missing: apt-get update && apt-get install -y chromium" >&2
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; fi
fi
[ -d web/node_modules ] || npm ci --prefix web --no-audit --no-fund || { failed=$((failed + 1)); finish; }

# Build: the API (dist) and the web app, whose build script prints the bundle report and fails above budget.
step build npm run build || finish
step "typed client up to date" node web/scripts/generate-api.mjs --check

# Vitest: each test counts.
vitest_json=$(mktemp)
(cd web && npx vitest run --reporter=default --reporter=json --outputFile="$vitest_json")
read -r vp vf < <(node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));console.log(r.numPassedTests, r.numFailedTests + (r.numTotalTests === 0 || (!r.success && r.numFailedTests === 0) ? 1 : 0))' "$vitest_json" 2>/dev/null || echo "0 1")
passed=$((passed + vp)); failed=$((failed + vf)); rm -f "$vitest_json"

# Playwright e2e + axe: each test counts.
rm -rf web/screenshots web/test-results
(cd web && npx playwright test)
e2e_json=web/test-results/e2e.json
if [ -f "$e2e_json" ]; then
  read -r ep ef < <(node -e 'const s=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).stats;console.log(s.expected, s.unexpected + s.flaky + (s.expected + s.unexpected + s.flaky === 0 ? 1 : 0))' "$e2e_json")
else
  ep=0 ef=1
fi
passed=$((passed + ep)); failed=$((failed + ef))
finish
