#!/usr/bin/env bash
# Set up everything SITS Cube needs on Debian 12; quick when already done.
#  - QGIS >= 3.34 (3.40 LTR from bookworm-backports) and the system packages
#    the plugin and the test services use (root + apt, else a clear message)
#  - .venv: QGIS's Python + requirements.txt (+ requirements-dev.txt)
#  - .venv-stac: the loopback STAC API server used by tests and the demo
#  - build/plugins/sitscube -> this checkout, for QGIS_PLUGINPATH
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

# System packages: QGIS, the headers to build shapely/rasterio against QGIS's
# own GEOS/GDAL, netCDF4 and h5py built against its HDF5, a C compiler and Python's
# headers (the composite kernel compiled ahead of time), and PostgreSQL + PostGIS.
PACKAGES="qgis python3-qgis qgis-providers python3-venv python3-netcdf4 python3-h5py python3-pyproj
libgdal-dev gdal-bin libgeos-dev gcc python3-dev python3-sklearn postgresql postgresql-15-postgis-3
qttools5-dev-tools xvfb xauth"

qgis_ok() {
  command -v qgis_process >/dev/null 2>&1 || return 1
  local version
  version=$(dpkg-query -W -f='${Version}' qgis 2>/dev/null | sed 's/^[0-9]*://' | cut -d. -f1,2)
  [ -n "$version" ] && dpkg --compare-versions "$version" ge 3.34
}
missing_packages() {
  local p out=""
  for p in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || out="$out $p"
  done
  echo "$out"
}

MISSING=$(missing_packages)
if ! qgis_ok || [ -n "$MISSING" ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "SITS Cube needs these Debian packages:$MISSING (and QGIS >= 3.34)." >&2
    echo "Run 'sudo make setup', or install QGIS 3.40 LTR from bookworm-backports yourself." >&2
    exit 1
  fi
  SRC=/etc/apt/sources.list.d/sitscube-backports.sources
  if ! grep -rqs "bookworm-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then
    URI=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
    say "adding bookworm-backports (${URI:-http://deb.debian.org/debian})"
    printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
      "${URI:-http://deb.debian.org/debian}" > "$SRC"
  fi
  say "installing system packages:${MISSING:- qgis}"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q -t bookworm-backports $PACKAGES
fi

# A venv is redone only when its requirements change.
stamp_of() { cat "$@" | sha256sum | cut -c1-16; }
make_venv() {  # dir, python flags, requirement files...
  local dir=$1 flags=$2; shift 2
  local stamp; stamp=$(stamp_of "$@")
  if [ -f "$dir/.sitscube-stamp" ] && [ "$(cat "$dir/.sitscube-stamp")" = "$stamp" ]; then
    return
  fi
  say "creating $dir"
  /usr/bin/python3 -m venv $flags "$dir"
  "$dir/bin/pip" install -q --upgrade pip
  local args=""
  for f in "$@"; do args="$args -r $f"; done
  "$dir/bin/pip" install -q $args
  echo "$stamp" > "$dir/.sitscube-stamp"
}
make_venv .venv --system-site-packages requirements.txt requirements-dev.txt
make_venv .venv-stac "" requirements-stac.txt

make --no-print-directory i18n >/dev/null

# Byte-compile the plugin as pip does every installed package: a process that may not write
# .pyc files (PYTHONDONTWRITEBYTECODE, as on CI machines) would compile ~0.1 s of source per run.
.venv/bin/python -m compileall -q -x '/(\.venv|\.venv-stac|build|tests|bench)/' . >/dev/null || true

mkdir -p build/plugins
[ -L build/plugins/sitscube ] || ln -sfn "$ROOT" build/plugins/sitscube

# The composite kernel compiled ahead of time (engine/composite_aot.py): a median step then loads
# no numba (~0.5 s of CPU a process). Skipped when current; without it numba's JIT is used.
PYTHONPATH="$ROOT/build/plugins" .venv/bin/python scripts/build_kernels.py \
  || say "the composite kernel could not be compiled ahead of time: numba's JIT will be used"
say "ready: $(qgis_process --version 2>/dev/null | head -1 || echo QGIS), .venv, .venv-stac"
