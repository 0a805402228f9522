"""Temporal profiles: the series of points or polygons in one or more cubes, as a chart, an HTML page and a CSV.

``cube_series(ds, band, features)`` reads, for each feature, the band's
value on every date of one cube; ``write_profile(series, features, png,
html, csv)`` draws them side by side (raw, harmonized, gap-filled …) and
writes the three files.

Rules (decided here):

* **Points** take the value of the pixel they fall in (a point on a pixel
  edge goes to the pixel right/below it, as GDAL's geotransform does);
  points outside the cube get no value (a warning names them).
* **Polygons** take the mean of the valid pixels whose centre is inside
  (the pixel-centre rule of ``sitscube:zonalstatistics``, rasterized with
  GDAL: ``all_touched=False``); the number of pixels used on each date is
  in the CSV. A polygon holding no pixel centre gets no value (warning).
* **Gaps.** Nodata (masked clouds, the swath edge) is a gap: an empty cell
  in the CSV and the table, a break in the chart's line; never a zero. A
  polygon's date is a gap when none of its pixels is valid that date.
* **Values** as stored in each cube (DN stay DN; a float reflectance cube
  shows reflectance); the HTML lists each cube's type and scale.
* **Labels.** Each cube is named by its file name and its provenance steps
  (the ``sitscube_history`` attribute: ``loadcube › harmonize ›
  cloudmask › gapfill``); the page lists each step's parameters.
* **Chart**: one panel per feature (the first ``MAX_CHART_FEATURES``; the
  CSV has them all), one line per cube, ``CHART_WIDTH`` ×
  (``CHART_TOP`` + ``PANEL_HEIGHT`` per panel) pixels. PNG drawn with
  matplotlib (Agg) when it is installed; otherwise an SVG written here
  (same layout), next to the requested PNG path with the ``.svg`` suffix.
* **HTML** (for QGIS's results viewer): the chart embedded (PNG as a data
  URI, plus a link to the file; or the SVG inline), the cubes and their
  history, and per feature a table of dates × cubes.
* **CSV**: ``feature_id,cube,history,date,band,value,pixels``, one row per
  feature, cube and date.

Reading: points with one pointwise selection per cube; polygons by their
bounding window (rows in strips of at most ``STRIP_BYTES``), a batch of
windows per dask computation, cancel checked between batches. Every file
is written to a temporary next to its destination and moved into place
when all three are complete.
"""

import base64
import csv
import html
import io
import json
import os
from dataclasses import dataclass, field
from typing import List, Optional, Sequence, Tuple

import numpy as np

from .atomic import publish, temporary_file
from .cube_io import history
from .errors import UserError
from .progress import Progress
from .timeseries import band_nodata, select_bands, valid_mask

MAX_CHART_FEATURES = 12
CHART_WIDTH = 1000  # pixels
CHART_TOP = 60
PANEL_HEIGHT = 260
DPI = 100
STRIP_BYTES = 32 * 2**20
BATCH_BYTES = 128 * 2**20
COLUMNS = ("feature_id", "cube", "history", "date", "band", "value", "pixels")
COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")


@dataclass
class Feature:
    """One point ((x, y) tuple) or polygon (shapely geometry), in the cube's CRS."""

    fid: object
    geometry: object

    @property
    def is_point(self) -> bool:
        return isinstance(self.geometry, tuple)


@dataclass
class CubeSeries:
    """One cube's values for every feature."""

    path: str
    label: str
    steps: List[dict]
    band: str
    dates: List[str]  # 'YYYY-MM-DD'
    values: np.ndarray  # (features, dates) float64, NaN = gap
    pixels: np.ndarray  # (features, dates) int: valid pixels used
    units: str = ""
    warnings: List[str] = field(default_factory=list)
    inside: Optional[np.ndarray] = None  # (features,) bool: the point falls in the cube / the polygon holds a pixel centre


def chart_size(n_features: int) -> Tuple[int, int]:
    """(width, height) in pixels of the chart of n features."""
    panels = max(1, min(n_features, MAX_CHART_FEATURES))
    return CHART_WIDTH, CHART_TOP + PANEL_HEIGHT * panels


def cube_label(path: str, ds) -> Tuple[str, List[dict]]:
    """'cube_h.nc (loadcube › harmonize)' and the history records."""
    records = [r for r in history(ds) if isinstance(r, dict)]
    steps = [str(r.get("step", "?")) for r in records]
    name = os.path.basename(os.path.abspath(str(path)).rstrip("/\\")) or str(path)
    return (f"{name} ({' › '.join(steps)})" if steps else f"{name} (no recorded step)"), records


def _transform(ds):
    """The affine geotransform of the cube's grid (pixel corners)."""
    from affine import Affine

    try:
        import odc.geo.xr  # noqa: F401

        geobox = ds.odc.geobox
        if geobox is not None:
            return Affine(*list(geobox.transform)[:6])
    except Exception:  # noqa: BLE001 - no odc-readable grid: from the coordinates
        pass
    x, y = ds["x"].values.astype(float), ds["y"].values.astype(float)
    dx = float(x[1] - x[0]) if len(x) > 1 else 1.0
    dy = float(y[1] - y[0]) if len(y) > 1 else -1.0
    return Affine(dx, 0.0, float(x[0]) - dx / 2, 0.0, dy, float(y[0]) - dy / 2)


def choose_band(ds, band: Optional[str]) -> str:
    if band is None or not str(band).strip():
        return select_bands(ds, None, "chart")[0]
    return select_bands(ds, [str(band).strip()], "chart")[0]


def cube_series(ds, band: Optional[str], features: Sequence[Feature], path: str = "cube",
                progress: Optional[Progress] = None) -> CubeSeries:
    """The series of every feature in one cube (see the module docstring)."""
    from . import scheduler as schedulers

    progress = progress or Progress()
    if "time" not in ds.dims:
        raise UserError(f"{os.path.basename(str(path))} has no time axis: a temporal profile needs a cube of dates.")
    name = choose_band(ds, band)
    variable = ds[name].transpose("time", "y", "x")
    nodata = band_nodata(variable)
    label, records = cube_label(path, ds)
    dates = [str(t)[:10] for t in ds["time"].values]
    count = len(dates)
    values = np.full((len(features), count), np.nan)
    pixels = np.zeros((len(features), count), dtype=np.int64)
    transform = _transform(ds)
    height, width = ds.sizes["y"], ds.sizes["x"]
    inverse = ~transform
    warnings = []

    points = [(i, f) for i, f in enumerate(features) if f.is_point]
    inside = []
    outside = []
    for i, feature in points:
        col, row = inverse * feature.geometry
        col, row = int(np.floor(col)), int(np.floor(row))
        if 0 <= row < height and 0 <= col < width:
            inside.append((i, row, col))
        else:
            outside.append(str(feature.fid))
    if outside:
        warnings.append(f"{len(outside)} point(s) outside {os.path.basename(str(path))}: "
                        + ", ".join(outside[:20]) + (" …" if len(outside) > 20 else ""))
    if inside:
        from .export import xr_index

        progress.check_canceled()
        picked = variable.isel(y=xr_index([r for _, r, _ in inside]), x=xr_index([c for _, _, c in inside])).data
        (block,) = schedulers.compute(picked, progress=progress.scaled(0, 10))
        block = np.asarray(block)  # (time, points)
        valid = valid_mask(block, nodata)
        for column, (i, _, _) in enumerate(inside):
            values[i] = np.where(valid[:, column], block[:, column].astype(np.float64), np.nan)
            pixels[i] = valid[:, column]

    polygons = [(i, f) for i, f in enumerate(features) if not f.is_point]
    jobs = []  # (feature index, row0, col0, mask (h, w) of that strip)
    empty = []
    itemsize = variable.dtype.itemsize
    for i, feature in polygons:
        masks = _polygon_strips(feature.geometry, transform, height, width, count * itemsize)
        if not masks:
            empty.append(str(feature.fid))
        jobs.extend((i,) + m for m in masks)
    if empty:
        warnings.append(f"{len(empty)} polygon(s) hold no pixel centre of {os.path.basename(str(path))}: "
                        + ", ".join(empty[:20]) + (" …" if len(empty) > 20 else ""))
    totals = np.zeros((len(features), count))
    done = 0
    batch = []
    size = 0
    for number, job in enumerate(jobs):
        batch.append(job)
        size += job[3].size * count * itemsize
        if size >= BATCH_BYTES or number == len(jobs) - 1:
            progress.check_canceled()
            arrays = [variable.data[:, r:r + m.shape[0], c:c + m.shape[1]] for _, r, c, m in batch]
            blocks = schedulers.compute(*arrays, progress=Progress(is_canceled=progress.is_canceled))
            for (i, _, _, mask), block in zip(batch, blocks):
                block = np.asarray(block)[:, mask]  # (time, pixels inside)
                valid = valid_mask(block, nodata)
                totals[i] += np.where(valid, block.astype(np.float64), 0.0).sum(axis=1)
                pixels[i] += valid.sum(axis=1)
            done += len(batch)
            progress.set_percent(10 + 90.0 * done / len(jobs))
            batch, size = [], 0
    located = np.zeros(len(features), dtype=bool)
    located[[i for i, _, _ in inside]] = True
    located[sorted({job[0] for job in jobs})] = True
    for i, _ in polygons:
        with np.errstate(invalid="ignore", divide="ignore"):
            values[i] = np.where(pixels[i] > 0, totals[i] / np.maximum(pixels[i], 1), np.nan)
    for message in warnings:
        progress.warning(message)
    units = f"{variable.dtype}"
    if "reflectance_scale" in variable.attrs:
        units += f", reflectance = value × {variable.attrs['reflectance_scale']}"
        if variable.attrs.get("reflectance_offset"):
            units += f" + {variable.attrs['reflectance_offset']}"
    return CubeSeries(str(path), label, records, str(name), dates, values, pixels, units, warnings, located)


def _polygon_strips(geometry, transform, height, width, bytes_per_pixel) -> list:
    """[(row0, col0, mask)] of the pixels whose centre is inside, over the geometry's window, in row strips."""
    from affine import Affine
    from rasterio.features import geometry_mask

    inverse = ~transform
    west, south, east, north = geometry.bounds
    cols, rows = zip(*[inverse * corner for corner in ((west, south), (west, north), (east, south), (east, north))])
    row0, row1 = max(0, int(np.floor(min(rows)))), min(height, int(np.ceil(max(rows))))
    col0, col1 = max(0, int(np.floor(min(cols)))), min(width, int(np.ceil(max(cols))))
    if row1 <= row0 or col1 <= col0:
        return []
    window = transform * Affine.translation(col0, row0)
    mask = geometry_mask([geometry], out_shape=(row1 - row0, col1 - col0), transform=window, invert=True, all_touched=False)
    if not mask.any():
        return []
    rows_per_strip = max(1, STRIP_BYTES // max(1, (col1 - col0) * bytes_per_pixel))
    strips = []
    for start in range(0, row1 - row0, rows_per_strip):
        part = mask[start:start + rows_per_strip]
        used = np.flatnonzero(part.any(axis=1))
        if used.size == 0:
            continue
        cols_used = np.flatnonzero(part.any(axis=0))
        top, bottom = int(used[0]), int(used[-1]) + 1
        left, right = int(cols_used[0]), int(cols_used[-1]) + 1
        strips.append((row0 + start + top, col0 + left, part[top:bottom, left:right]))
    return strips


# ---- outputs ------------------------------------------------------------------------------


def _text(value: float) -> str:
    if value is None or not np.isfinite(value):
        return ""
    return repr(float(value)) if value != int(value) else str(int(value))


def _matplotlib():
    try:
        import matplotlib

        matplotlib.use("Agg", force=False)
        from matplotlib.figure import Figure  # noqa: F401  (no pyplot: no global state, thread-safe)
    except ImportError:
        return None
    return matplotlib


USE_MATPLOTLIB = True  # tests switch it off to check the SVG chart


def _png_chart(series: Sequence[CubeSeries], features: Sequence[Feature], band: str) -> bytes:
    import datetime as dt

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    shown = features[:MAX_CHART_FEATURES]
    width, height = chart_size(len(features))
    figure = Figure(figsize=(width / DPI, height / DPI), dpi=DPI)
    FigureCanvasAgg(figure)
    top = 1.0 - CHART_TOP / height
    figure.subplots_adjust(left=0.08, right=0.72, top=top, bottom=40 / height, hspace=0.35)
    axes = figure.subplots(len(shown) or 1, 1, squeeze=False, sharex=True)[:, 0]
    figure.suptitle(f"{band}: temporal profile", y=1.0 - 15 / height, fontsize=12)
    for index, (ax, feature) in enumerate(zip(axes, shown)):
        for number, cube in enumerate(series):
            days = [dt.date.fromisoformat(d) for d in cube.dates]
            ax.plot(days, cube.values[index], marker="o", markersize=3, linewidth=1.2,
                    color=COLOURS[number % len(COLOURS)], label=cube.label)
        ax.set_title(f"{'point' if feature.is_point else 'polygon'} {feature.fid}", fontsize=9, loc="left")
        ax.set_ylabel(band, fontsize=8)
        ax.grid(True, alpha=0.3)
        ax.tick_params(labelsize=7)
        if index == 0:
            ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def _svg_chart(series: Sequence[CubeSeries], features: Sequence[Feature], band: str) -> str:
    """The same chart as SVG, without matplotlib: one panel per feature, lines broken at gaps."""
    import datetime as dt

    shown = features[:MAX_CHART_FEATURES]
    width, height = chart_size(len(features))
    left, right = 70, int(width * 0.72)
    all_days = sorted({d for cube in series for d in cube.dates})
    ordinals = [dt.date.fromisoformat(d).toordinal() for d in all_days] or [0, 1]
    first, last = min(ordinals), max(ordinals)
    span_days = max(1, last - first)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
             'font-family="sans-serif">', f'<rect width="{width}" height="{height}" fill="white"/>',
             f'<text x="{width / 2}" y="22" text-anchor="middle" font-size="15">{html.escape(band)}: temporal profile</text>']
    for index, feature in enumerate(shown):
        top = CHART_TOP + index * PANEL_HEIGHT + 10
        bottom = top + PANEL_HEIGHT - 50
        numbers = np.concatenate([cube.values[index] for cube in series]) if series else np.array([])
        numbers = numbers[np.isfinite(numbers)]
        low, high = (float(numbers.min()), float(numbers.max())) if numbers.size else (0.0, 1.0)
        if high == low:
            low, high = low - 1.0, high + 1.0
        parts.append(f'<rect x="{left}" y="{top}" width="{right - left}" height="{bottom - top}" fill="none" stroke="#999"/>')
        parts.append(f'<text x="{left}" y="{top - 3}" font-size="11">{"point" if feature.is_point else "polygon"} '
                     f'{html.escape(str(feature.fid))}</text>')
        for value, y in ((high, top), (low, bottom)):
            parts.append(f'<text x="{left - 4}" y="{y + 4}" text-anchor="end" font-size="9">{value:.4g}</text>')
        for day, ordinal in ((all_days[0], first), (all_days[-1], last)) if all_days else ():
            x = left + (right - left) * (ordinal - first) / span_days
            parts.append(f'<text x="{x}" y="{bottom + 14}" text-anchor="middle" font-size="9">{day}</text>')
        for number, cube in enumerate(series):
            colour = COLOURS[number % len(COLOURS)]
            run = []
            points = []
            for day, value in zip(cube.dates, cube.values[index]):
                if not np.isfinite(value):
                    if len(run) > 1:
                        points.append(run)
                    elif run:
                        points.append(run)
                    run = []
                    continue
                x = left + (right - left) * (dt.date.fromisoformat(day).toordinal() - first) / span_days
                y = bottom - (bottom - top) * (value - low) / (high - low)
                run.append((x, y))
            if run:
                points.append(run)
            for run in points:
                if len(run) > 1:
                    coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
                    parts.append(f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="1.2"/>')
                for x, y in run:
                    parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{colour}"/>')
    for number, cube in enumerate(series):
        y = CHART_TOP + 14 + 16 * number
        colour = COLOURS[number % len(COLOURS)]
        parts.append(f'<line x1="{right + 12}" y1="{y - 4}" x2="{right + 32}" y2="{y - 4}" stroke="{colour}" stroke-width="2"/>')
        parts.append(f'<text x="{right + 38}" y="{y}" font-size="10">{html.escape(cube.label)}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def _html_page(series, features, band, chart_name, chart_bytes, svg) -> str:
    shown = features[:MAX_CHART_FEATURES]
    out = ["<!DOCTYPE html>", "<html><head><meta charset=\"utf-8\">", f"<title>{html.escape(band)}: temporal profile</title>",
           "<style>body{font-family:sans-serif;font-size:13px} table{border-collapse:collapse;margin:6px 0 18px} "
           "td,th{border:1px solid #ccc;padding:2px 6px;text-align:right} th{background:#eee} td.gap{background:#f6f6f6} "
           "code{font-size:11px}</style></head><body>",
           f"<h2>{html.escape(band)}: temporal profile of {len(features)} feature(s) in {len(series)} cube(s)</h2>"]
    if svg is not None:
        out.append(svg)
        out.append(f'<p>Chart: <a href="{html.escape(chart_name)}">{html.escape(chart_name)}</a></p>')
    else:
        data = base64.b64encode(chart_bytes).decode("ascii")
        out.append(f'<p><img alt="temporal profile chart ({html.escape(chart_name)})" src="data:image/png;base64,{data}"></p>')
        out.append(f'<p>Chart file: <a href="{html.escape(chart_name)}">{html.escape(chart_name)}</a></p>')
    if len(features) > MAX_CHART_FEATURES:
        out.append(f"<p>The chart and the tables show the first {MAX_CHART_FEATURES} features; the CSV has all {len(features)}.</p>")
    out.append("<h3>Cubes</h3><ol>")
    for cube in series:
        steps = "".join(
            f"<li><b>{html.escape(str(r.get('step', '?')))}</b> <code>{html.escape(json.dumps(r.get('parameters', {}), default=str))[:600]}</code></li>"
            for r in cube.steps)
        out.append(f"<li><b>{html.escape(cube.label)}</b>: band {html.escape(cube.band)} ({html.escape(cube.units)}), "
                   f"<code>{html.escape(cube.path)}</code><ul>{steps}</ul></li>")
    out.append("</ol><p>Empty cells are gaps: nodata or masked on that date, or no date in that cube.</p>")
    for index, feature in enumerate(shown):
        out.append(f"<h3>{'Point' if feature.is_point else 'Polygon'} {html.escape(str(feature.fid))}</h3>")
        by_cube = [dict(zip(cube.dates, cube.values[index])) for cube in series]
        days = sorted({d for cube in series for d in cube.dates})
        out.append("<table><tr><th>date</th>" + "".join(f"<th>{html.escape(c.label)}</th>" for c in series) + "</tr>")
        for day in days:
            cells = []
            for values in by_cube:
                text = _text(values.get(day, np.nan))
                cells.append(f"<td>{text}</td>" if text else '<td class="gap"></td>')
            out.append(f"<tr><th>{day}</th>{''.join(cells)}</tr>")
        out.append("</table>")
    out.append("</body></html>")
    return "\n".join(out)


def write_profile(series: Sequence[CubeSeries], features: Sequence[Feature], chart_path: str, html_path: str,
                  csv_path: str, progress: Optional[Progress] = None) -> dict:
    """Write the chart, the HTML page and the CSV; returns {'chart': path, 'html': path, 'csv': path}."""
    progress = progress or Progress()
    if not series:
        raise UserError("No cube to draw.")
    if not features:
        raise UserError("No feature to draw.")
    if not any(s.inside is None or s.inside.any() for s in series):
        raise UserError(
            "None of the points or polygons falls inside the cube(s): check that the layer covers the cubes' area "
            "(any CRS is fine, it is reprojected)."
        )
    band = series[0].band if len({s.band for s in series}) == 1 else " / ".join(dict.fromkeys(s.band for s in series))
    chart_path = os.path.abspath(chart_path)
    svg = None
    if USE_MATPLOTLIB and _matplotlib() is not None:
        chart_bytes = _png_chart(series, features, band)
    else:
        svg = _svg_chart(series, features, band)
        chart_bytes = svg.encode("utf-8")
        chart_path = os.path.splitext(chart_path)[0] + ".svg"
        progress.warning("matplotlib is not installed: the chart is written as SVG, " + chart_path)
    html_path, csv_path = os.path.abspath(html_path), os.path.abspath(csv_path)
    chart_name = os.path.relpath(chart_path, os.path.dirname(html_path))
    page = _html_page(series, features, band, chart_name, chart_bytes, svg)
    progress.check_canceled()
    temporaries = []
    try:
        for path, write in ((chart_path, lambda s: s.write(chart_bytes)),
                            (html_path, lambda s: s.write(page.encode("utf-8"))),
                            (csv_path, lambda s: _write_csv(s, series, features))):
            os.makedirs(os.path.dirname(path), exist_ok=True)
            temporary = temporary_file(os.path.dirname(path), os.path.splitext(path)[1])
            temporaries.append((temporary, path))
            with open(temporary, "wb") as stream:
                write(stream)
        progress.check_canceled()
        for temporary, path in temporaries:
            publish(temporary, path)
    except BaseException:
        for temporary, _ in temporaries:
            if os.path.exists(temporary):
                os.remove(temporary)
        raise
    return {"chart": chart_path, "html": html_path, "csv": csv_path}


def _write_csv(stream, series, features) -> None:
    text = io.TextIOWrapper(stream, encoding="utf-8", newline="")
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(COLUMNS)
    for index, feature in enumerate(features):
        for cube in series:
            steps = " > ".join(str(r.get("step", "?")) for r in cube.steps)
            name = os.path.basename(cube.path.rstrip("/\\"))
            for day, value, count in zip(cube.dates, cube.values[index], cube.pixels[index]):
                writer.writerow((feature.fid, name, steps, day, cube.band, _text(value), int(count)))
    text.flush()
    text.detach()
