#!/usr/bin/env bash
# One-time set-up of what a fresh Debian machine lacks for Studio API: Redis, PostgreSQL 15, ffmpeg,
# Blender and bubblewrap (the sandbox they run in) from Debian's packages, FerretDB v1.24.2 (MongoDB wire protocol on that PostgreSQL) built from
# the Go module proxy with scripts/ferretdb-*.patch applied, moto's S3-compatible server (PyPI moto[server], in a
# venv) for the S3 driver's tests, and the npm dependencies.
# Safe to re-run: every step is skipped when its result is already there.
set -euo pipefail

FERRETDB_VERSION=v1.24.2
# Our patches to FerretDB, applied in name order; each file starts with its reason.
# (C collation, the order src/infra/embedded hashes them in).
FERRETDB_PATCHES=("$(cd "$(dirname "$0")" && pwd)"/ferretdb-*.patch)
mapfile -t FERRETDB_PATCHES < <(printf '%s\n' "${FERRETDB_PATCHES[@]}" | LC_ALL=C sort)
# Debian installs PostgreSQL's server programs here, off PATH; src/infra/embedded looks here too.
PG_BIN=/usr/lib/postgresql/15/bin
# STUDIO_API_TOOLS_DIR puts the builds elsewhere (src/infra/embedded reads it too), e.g. to try a changed
# patch without replacing the binary that other checkouts on the machine use.
TOOLS_DIR="${STUDIO_API_TOOLS_DIR:-${HOME}/.cache/studio-api}"
BIN_DIR="${TOOLS_DIR}/bin"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

log() { printf '[setup] %s\n' "$*"; }

apt_packages=()
command -v redis-server >/dev/null || apt_packages+=(redis-server)
command -v ffmpeg >/dev/null || apt_packages+=(ffmpeg)
command -v blender >/dev/null || apt_packages+=(blender)
# Workers run Blender, ffmpeg and ffprobe in a bubblewrap sandbox (src/infra/sandbox) and refuse to start without it.
command -v bwrap >/dev/null || apt_packages+=(bubblewrap)
command -v mongod >/dev/null || [ -x "${PG_BIN}/postgres" ] || apt_packages+=(postgresql-15)
command -v patch >/dev/null || apt_packages+=(patch)
# moto's venv needs python3 with venv/ensurepip (Debian splits them out).
python3 -c 'import venv, ensurepip' 2>/dev/null || apt_packages+=(python3 python3-venv)
if [ "${#apt_packages[@]}" -gt 0 ]; then
  log "installing Debian packages: ${apt_packages[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${apt_packages[@]}" >/dev/null
else
  log "redis-server, postgresql-15, ffmpeg, blender and bubblewrap already installed"
fi
# The sandbox needs unprivileged user namespaces; say so now rather than when a worker refuses to start.
if ! bwrap --unshare-all --unshare-user --ro-bind /usr /usr --symlink usr/lib64 /lib64 --symlink usr/lib /lib -- /usr/bin/true 2>/dev/null; then
  log "warning: bubblewrap cannot make a sandbox here (enable unprivileged user namespaces: sysctl kernel.unprivileged_userns_clone=1); workers will refuse to start unless MEDIA_SANDBOX=off"
fi

# The patches' checksum beside the binary, so a changed or added patch rebuilds it (src/infra/embedded
# checks it too).
patch_sum="$(cat "${FERRETDB_PATCHES[@]}" | sha256sum | cut -d' ' -f1)"
if command -v mongod >/dev/null; then
  log "mongod found on PATH; FerretDB not needed"
elif [ -x "${BIN_DIR}/ferretdb" ] && "${BIN_DIR}/ferretdb" --version 2>/dev/null | grep -q "version: ${FERRETDB_VERSION}" \
  && [ "$(cat "${BIN_DIR}/ferretdb.patch-sha256" 2>/dev/null)" = "${patch_sum}" ]; then
  log "FerretDB ${FERRETDB_VERSION} (patched) already built at ${BIN_DIR}/ferretdb"
else
  command -v go >/dev/null || { echo "[setup] Go is needed to build FerretDB (apt-get install golang-go, or set MONGO_URI)" >&2; exit 1; }
  log "building FerretDB ${FERRETDB_VERSION} from the Go module proxy with ${#FERRETDB_PATCHES[@]} patches (about a minute the first time)"
  build_dir="${TOOLS_DIR}/ferretdb-build"
  mkdir -p "${build_dir}" "${BIN_DIR}"
  (
    cd "${build_dir}"
    [ -f go.mod ] || go mod init studio-api/ferretdb-tool >/dev/null 2>&1
    go get -tool "github.com/FerretDB/FerretDB/cmd/ferretdb@${FERRETDB_VERSION}"
    # The proxy's copy of the module lacks the generated build/version/version.txt, without which the
    # binary panics at start; vendoring lets us supply it, as FerretDB's own `task gen-version` would,
    # and gives a fresh copy of the source to patch on every build.
    go mod vendor
    echo "${FERRETDB_VERSION}" > vendor/github.com/FerretDB/FerretDB/build/version/version.txt
    for p in "${FERRETDB_PATCHES[@]}"; do patch -p1 --forward --silent -d vendor/github.com/FerretDB/FerretDB < "$p"; done
    # Built beside the old binary and renamed over it, so a FerretDB already running from it (another
    # checkout's tests) keeps its file, and the checksum follows the binary it describes.
    rm -rf "${BIN_DIR}/.ferretdb-new" && mkdir -p "${BIN_DIR}/.ferretdb-new"
    GOBIN="${BIN_DIR}/.ferretdb-new" go install -mod=vendor -buildvcs=false github.com/FerretDB/FerretDB/cmd/ferretdb
    # The fast sjson decoder (ferretdb-sjson-fast-decode.patch) against the original one, on this build's
    # source: a patched FerretDB that could read a document differently is never installed.
    go test -mod=vendor -count=1 -run 'FastDecode' github.com/FerretDB/FerretDB/internal/handler/sjson >/dev/null
  )
  mv -f "${BIN_DIR}/.ferretdb-new/ferretdb" "${BIN_DIR}/ferretdb" && rmdir "${BIN_DIR}/.ferretdb-new"
  echo "${patch_sum}" > "${BIN_DIR}/ferretdb.patch-sha256.new" && mv -f "${BIN_DIR}/ferretdb.patch-sha256.new" "${BIN_DIR}/ferretdb.patch-sha256"
  "${BIN_DIR}/ferretdb" --version | head -1
fi

# The S3-compatible server the tests start on loopback (src/infra/embedded/s3.ts); pinned, installed in under a minute.
MOTO_VERSION=5.2.5
MOTO_VENV="${TOOLS_DIR}/moto-venv"
if [ -x "${MOTO_VENV}/bin/moto_server" ] && "${MOTO_VENV}/bin/python" -c "import moto,sys; sys.exit(moto.__version__ != '${MOTO_VERSION}')" 2>/dev/null; then
  log "moto ${MOTO_VERSION} (S3-compatible server) already installed in ${MOTO_VENV}"
else
  command -v python3 >/dev/null || { echo "[setup] python3 is needed for moto's S3 server (apt-get install python3-venv, or set S3_ENDPOINT)" >&2; exit 1; }
  log "installing moto[server] ${MOTO_VERSION} (S3-compatible server for the tests) into ${MOTO_VENV}"
  python3 -m venv "${MOTO_VENV}"
  "${MOTO_VENV}/bin/pip" install --quiet --disable-pip-version-check "moto[server]==${MOTO_VERSION}"
fi

if [ -z "${SKIP_NPM:-}" ] && [ -f package-lock.json ] && [ ! -d node_modules ]; then
  log "installing npm dependencies"
  npm ci --no-audit --no-fund
fi
log "done. Run the API with: npm run dev"
