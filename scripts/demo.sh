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
timed() { local start=$SECONDS; "$@"; echo "   ($((SECONDS - start)) s)" >&2; }

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

step "sitscube:harmonize, cloudmask (as recipes: .sitscube), gapfill (computes all three) — the cube made analysis-ready"
timed scripts/qgis_process run sitscube:harmonize -- INPUT="$OUT/cube.nc" OUTPUT="$OUT/harmonized.sitscube" | grep -i "offset removed" || true
timed scripts/qgis_process run sitscube:cloudmask -- INPUT="$OUT/harmonized.sitscube" DILATION=1 OUTPUT="$OUT/masked.sitscube" | tail -n 1
timed scripts/qgis_process run sitscube:gapfill -- INPUT="$OUT/masked.sitscube" METHOD=linear OUTPUT="$OUT/filled.nc" | tail -n 1

step "sitscube:composite — summer 2022 median (true colour) and 2022 seasons (for the classifier)"
timed scripts/qgis_process run sitscube:composite -- INPUT="$OUT/filled.nc" METHOD=median \
  START_DATE=2022-05-01 END_DATE=2022-09-30 OUTPUT="$OUT/composite_summer_2022.tif" | tail -n 1
timed scripts/qgis_process run sitscube:composite -- INPUT="$OUT/filled.nc" METHOD=median PERIOD=season \
  START_DATE=2021-12-01 END_DATE=2022-11-30 OUTPUT="$OUT/seasons_2022.tif" | tail -n 1

step "sitscube:trainrandomforest — half of the sample's fields for training, the other half held out"
"$PY" - "$CATALOG/truth/fields.geojson" "$OUT" <<'PYEOF'
import json, sys
fields = json.load(open(sys.argv[1]))
for name, parity in (("training", 0), ("held_out_fields", 1)):
    subset = dict(fields, features=[f for f in fields["features"] if f["properties"]["field_id"] % 2 == parity])
    json.dump(subset, open(f"{sys.argv[2]}/{name}.geojson", "w"))
PYEOF
timed scripts/qgis_process run sitscube:trainrandomforest -- INPUT="$OUT/seasons_2022.tif" \
  TRAINING="$OUT/training.geojson" CLASS_FIELD=class_name N_TREES=100 \
  OUTPUT_MODEL="$OUT/landcover.sitsmodel" OUTPUT_REPORT="$OUT/accuracy_report.html" | grep -i "overall accuracy" || true

step "sitscube:classify and sitscube:zonalstatistics — the land-cover map, and its majority class per held-out field"
timed scripts/qgis_process run sitscube:classify -- INPUT="$OUT/seasons_2022.tif" MODEL="$OUT/landcover.sitsmodel" \
  OUTPUT="$OUT/landcover.tif" OUTPUT_PROBABILITY="$OUT/landcover_probability.tif" | tail -n 1
timed scripts/qgis_process run sitscube:zonalstatistics -- INPUT="$OUT/landcover.tif" ZONES="$OUT/held_out_fields.geojson" \
  STATISTICS=majority STATISTICS=class_area OUTPUT="$OUT/landcover_per_field.gpkg" | tail -n 1
"$PY" - "$OUT/landcover_per_field.gpkg" <<'PYEOF'
import sqlite3, sys
names = ["crops", "forest", "urban", "water"]  # class codes follow the sorted class names
rows = sqlite3.connect(sys.argv[1]).execute("select class_name, majority from landcover_per_field where majority is not null").fetchall()
agree = sum(names[int(m) - 1] == c for c, m in rows)
print(f"   held-out fields whose majority class is their true class: {agree}/{len(rows)} ({100 * agree / len(rows):.1f} %)")
PYEOF

step "Quick-looks (PNG)"
gdal_translate -q -of PNG -b 3 -b 2 -b 1 -scale 0 2500 0 255 -ot Byte "$OUT/composite_summer_2022.tif" "$OUT/composite_summer_2022.png"
gdal_translate -q -of PNG "$OUT/landcover.tif" "$OUT/landcover.png"
echo "   $OUT/composite_summer_2022.png, $OUT/landcover.png"

step "Results"
echo "   footprints:  $OUT/items.geojson"
echo "   cube:        $OUT/cube.nc  (then the recipes harmonized.sitscube, masked.sitscube, and filled.nc)"
echo "   map layers:  $OUT/*.nc.layers/*.vrt (one band per date)"
echo "   composites:  $OUT/composite_summer_2022.tif, $OUT/seasons_2022.tif"
echo "   land cover:  $OUT/landcover.tif (+ landcover_probability.tif), model landcover.sitsmodel"
echo "   accuracy:    $OUT/accuracy_report.html (+ .json, .csv)"
echo "   per field:   $OUT/landcover_per_field.gpkg"
echo "   quick-looks: $OUT/composite_summer_2022.png, $OUT/landcover.png"
"$PY" -c "
from sitscube.engine.cube_io import open_cube
c = open_cube('$OUT/cube.nc')
print('  ', dict(c.sizes), 'bands:', ', '.join(c.data_vars))
print('   dates:', str(c.time.values[0])[:10], '…', str(c.time.values[-1])[:10])"
