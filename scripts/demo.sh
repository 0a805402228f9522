#!/usr/bin/env bash
# make demo: a local STAC API serving the sample Sentinel-2 L2A catalog, then
# sitscube:stacsearch and sitscube:loadcube through qgis_process.
# Results in demo-output/.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
OUT="$ROOT/demo-output"
CATALOG="$ROOT/build/sample-catalog"
STATE="$ROOT/build/demo-stac.json"
PY="$ROOT/.venv/bin/python"
export PYTHONPATH="$ROOT/build/plugins:$ROOT/tests"
mkdir -p "$OUT"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
timed() { local start=$SECONDS; "$@"; echo "   ($((SECONDS - start)) s)"; }

step "Sample catalog (synthetic Sentinel-2 L2A, 3 tiles, 28 dates, 2021-2023)"
timed "$PY" -c "from sitscube.engine.sample_catalog import ensure_catalog; m = ensure_catalog('$CATALOG'); print('   ', m['collections'])"

step "Local STAC API (PostgreSQL + pgstac + stac-fastapi) and COG server"
rm -f "$STATE"
"$PY" tests/services/stac_api.py serve --catalog "$CATALOG" --state "$STATE" > "$ROOT/build/demo-stac.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 120); do
  [ -s "$STATE" ] && break
  kill -0 $SERVER 2>/dev/null || { cat "$ROOT/build/demo-stac.log"; exit 1; }
  sleep 1
done
[ -s "$STATE" ] || { echo "The STAC API did not start; see build/demo-stac.log" >&2; exit 1; }
URL=$("$PY" -c "import json; print(json.load(open('$STATE'))['url'])")
echo "   STAC API at $URL"

# The sample area, as a user would draw it on the map (lon/lat here)
AOI=$("$PY" -c "
from pyproj import Transformer
t = Transformer.from_crs(32631, 4326, always_xy=True)
w, s = t.transform(300000, 4805760); e, n = t.transform(304480, 4810240)
print(f'{w:.5f},{e:.5f},{s:.5f},{n:.5f} [EPSG:4326]')")

step "sitscube:stacsearch — items with at most 40% cloud, 2021-06-01 to 2022-12-31"
timed scripts/qgis_process run sitscube:stacsearch -- \
  CATALOG_URL="$URL" COLLECTION=sentinel-2-l2a AOI="$AOI" \
  START_DATE=2021-06-01 END_DATE=2022-12-31 MAX_CLOUD=40 OUTPUT="$OUT/items.geojson" | tail -n 4

step "sitscube:loadcube — blue, green, red, nir, scl at 10 m in UTM 31N"
timed scripts/qgis_process run sitscube:loadcube -- \
  ITEMS="$OUT/items.geojson" AOI="$AOI" BANDS=blue,green,red,nir,scl RESOLUTION=10 \
  OUTPUT="$OUT/cube.nc" | tail -n 2

step "sitscube:harmonize, cloudmask, gapfill — the cube made analysis-ready"
timed scripts/qgis_process run sitscube:harmonize -- INPUT="$OUT/cube.nc" OUTPUT="$OUT/harmonized.nc" | grep -i "offset removed" || true
timed scripts/qgis_process run sitscube:cloudmask -- INPUT="$OUT/harmonized.nc" DILATION=1 OUTPUT="$OUT/masked.nc" | tail -n 1
timed scripts/qgis_process run sitscube:gapfill -- INPUT="$OUT/masked.nc" METHOD=linear OUTPUT="$OUT/filled.nc" | tail -n 1

step "sitscube:composite — summer 2022 median, true colour"
timed scripts/qgis_process run sitscube:composite -- INPUT="$OUT/masked.nc" METHOD=median \
  START_DATE=2022-05-01 END_DATE=2022-09-30 OUTPUT="$OUT/composite_summer_2022.tif" | tail -n 1

step "Results"
echo "   footprints:  $OUT/items.geojson"
echo "   cube:        $OUT/cube.nc  (then harmonized.nc, masked.nc, filled.nc)"
echo "   map layers:  $OUT/*.nc.layers/*.vrt (one band per date)"
echo "   composite:   $OUT/composite_summer_2022.tif"
"$PY" -c "
from sitscube.engine.cube_io import open_cube
c = open_cube('$OUT/cube.nc')
print('  ', dict(c.sizes), 'bands:', ', '.join(c.data_vars))
print('   dates:', str(c.time.values[0])[:10], '…', str(c.time.values[-1])[:10])"
