"""Loopback test services: a real STAC API (pgstac + stac-fastapi-pgstac) and
an HTTP server with Range support for the catalog's COG files.

Pure stdlib on purpose: this module runs in the project's main venv (QGIS's
Python) and only *launches* the STAC stack, which lives in its own venv
(`.venv-stac`, see requirements-stac.txt), as subprocesses.

Catalog dir layout (made by the project's sample-catalog generator):
    <catalog>/collections/*.json   one STAC Collection per file
    <catalog>/items/*.ndjson       one STAC Item per line ("collection" set)
    asset hrefs relative to <catalog> (e.g. "data/31TCJ/2021-05-01/B04.tif")

CLI:
    python tests/services/stac_api.py serve --catalog DIR [--state FILE]
    python tests/services/stac_api.py files --directory DIR   (prints the port)
"""

from __future__ import annotations

import argparse
import atexit
import functools
import glob
import io
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlparse

REPO = Path(__file__).resolve().parents[2]
DEFAULT_STAC_PYTHON = REPO / ".venv-stac" / "bin" / "python"
PG_BIN = Path("/usr/lib/postgresql/15/bin")

# The STAC API must answer within this long after uvicorn is launched.
API_START_TIMEOUT = 60.0

# Typed queryables: without a "number" type pgstac compares and SORTS
# eo:cloud_cover as text ("5.0" > "30.0"). A catalog may add its own in
# <catalog>/queryables.json (JSON Schema with "properties").
DEFAULT_QUERYABLES = {
    "eo:cloud_cover": {
        "title": "Cloud cover (%)", "type": "number", "minimum": 0, "maximum": 100,
    },
}


def free_port() -> int:
    """A free TCP port on loopback (bind to port 0 and let the OS choose)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with_parent(sig: str) -> list[str]:
    """Command prefix so the child gets `sig` when we die, even by SIGKILL.

    This is what keeps a killed test run from leaving postgres/uvicorn behind.
    Linux ties it to the spawning *thread*: start services from a thread that
    lives as long as they should (pytest fixtures and the CLI use the main one).
    """
    setpriv = shutil.which("setpriv")  # util-linux, always on Debian
    return [setpriv, "--pdeathsig", sig, "--"] if setpriv else []


def _plain_python() -> str:
    """A Python for our stdlib-only child (inside QGIS sys.executable is qgis)."""
    if Path(sys.executable).name.startswith("python"):
        return sys.executable
    return shutil.which("python3") or "/usr/bin/python3"


def _terminate(proc: subprocess.Popen, sig=signal.SIGTERM, timeout=10.0) -> None:
    """Signal a child, wait for it (reaping it), SIGKILL if it does not exit."""
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
    proc.wait(timeout=5)


def _tail(path: Path, n: int = 40) -> str:
    try:
        lines = Path(path).read_text(errors="replace").splitlines()
    except OSError:
        return f"(no log at {path})"
    return "\n".join(lines[-n:])


# --------------------------------------------------------------------------
# HTTP server with Range support (what GDAL's /vsicurl/ needs)
# --------------------------------------------------------------------------


class _RangeHandler(SimpleHTTPRequestHandler):
    # HTTP/1.1 so GDAL/curl can keep connections alive between range reads.
    protocol_version = "HTTP/1.1"
    # Headers and body are written to the socket separately: with Nagle's
    # algorithm on, the body waits for the client's delayed ACK of the
    # headers (up to 40 ms on Linux) on every response. An object store
    # does not stall so; without this a COG read over loopback was mostly
    # waiting (200 COGs, 2 threads: 7.1 s, against 1.5 s from disk).
    disable_nagle_algorithm = True

    def log_message(self, format, *args):  # noqa: A002 - stdlib signature
        pass  # quiet: tests do hundreds of range reads

    def end_headers(self):
        # Advertise range support on every response (GDAL checks it on HEAD).
        self.send_header("Accept-Ranges", "bytes")
        super().end_headers()

    def send_head(self):
        header = self.headers.get("Range")
        path = self.translate_path(self.path)
        if header is None or not os.path.isfile(path):
            return super().send_head()  # plain 200 / directory / 404

        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            span = self._parse_range(header, size)
            if span is None:
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{size}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
            start, end = span
            f.seek(start)
            data = f.read(end - start + 1)

        self.send_response(206)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        # do_GET copies this to the socket; do_HEAD just closes it.
        return io.BytesIO(data)

    def copyfile(self, source, outputfile):
        # A range's bytes in one write, not shutil's 64 KiB reads and sends: this
        # server shares the benchmark machine's CPUs with the client it serves.
        if isinstance(source, io.BytesIO):
            outputfile.write(source.getbuffer())
        else:
            super().copyfile(source, outputfile)

    @staticmethod
    def _parse_range(header: str, size: int):
        """(start, end) inclusive for one 'bytes=' range, or None if unsatisfiable.

        Multi-range requests are answered with the first range only: GDAL sends
        single ranges, and a test server need not build multipart bodies.
        """
        unit, _, spec = header.partition("=")
        if unit.strip().lower() != "bytes" or not spec:
            return None
        first = spec.split(",")[0].strip()
        a, sep, b = first.partition("-")
        try:
            if not sep:
                return None
            if a == "":  # suffix range: the last N bytes
                n = int(b)
                if n <= 0 or size == 0:
                    return None
                return max(0, size - n), size - 1
            start = int(a)
            end = int(b) if b else size - 1
        except ValueError:
            return None
        if start < 0 or start >= size or end < start:
            return None
        return start, min(end, size - 1)


class RangeHTTPServer:
    """Serve `directory` on http://127.0.0.1:<free port>.

    By default the ThreadingHTTPServer runs in a child process (this module's
    `files` command). In-process (in_process=True, a background thread) it can
    DEADLOCK with GDAL: rasterio calls some GDAL functions without releasing
    the GIL, and when such a call needs another /vsicurl/ range read (e.g. lazy
    COG tile offsets in `src.profile`) our serving thread can never answer.
    """

    def __init__(self, directory, host: str = "127.0.0.1", port: int = 0,
                 in_process: bool = False):
        self.directory = str(Path(directory).resolve())
        self.host = host
        self.port = port
        self.in_process = in_process
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> "RangeHTTPServer":
        if not self.in_process:
            return self._start_child()
        handler = functools.partial(_RangeHandler, directory=self.directory)
        self._httpd = ThreadingHTTPServer((self.host, self.port), handler)
        self._httpd.daemon_threads = True  # never block interpreter exit
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.1},
            name="range-http", daemon=True,
        )
        self._thread.start()
        return self

    def _start_child(self) -> "RangeHTTPServer":
        self._proc = subprocess.Popen(
            [*_die_with_parent("TERM"), _plain_python(), str(Path(__file__).resolve()),
             "files", "--directory", self.directory, "--host", self.host,
             "--port", str(self.port)],
            stdout=subprocess.PIPE, text=True, start_new_session=True,
        )
        # The child prints its port once it listens; bounded wait for that line.
        ready, _, _ = select.select([self._proc.stdout], [], [], 20)
        line = self._proc.stdout.readline() if ready else ""
        self._proc.stdout.close()
        if not line.strip().isdigit():
            self.stop()
            raise RuntimeError(f"range file server did not start (got {line!r})")
        self.port = int(line)
        return self

    def stop(self) -> None:
        if self._proc is not None:
            proc, self._proc = self._proc, None
            _terminate(proc)
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


# --------------------------------------------------------------------------
# STAC API: PostgreSQL + pgstac + stac-fastapi-pgstac under uvicorn
# --------------------------------------------------------------------------


def rewrite_hrefs(obj: dict, base_url: str) -> dict:
    """Make relative asset hrefs absolute under `base_url` (in place).

    Also the hrefs of an asset's alternates (``asset["alternate"][name]["href"]``):
    CDSE-style items keep an ``s3://`` href and serve the file by their https alternate.
    """
    def absolute(holder: dict) -> None:
        href = holder.get("href")
        if not isinstance(href, str) or not href or urlparse(href).scheme or href.startswith("/"):
            return  # absolute URL or absolute path: leave alone
        if href.startswith("./"):
            href = href[2:]
        holder["href"] = f"{base_url.rstrip('/')}/{href}"

    for asset in (obj.get("assets") or {}).values():
        absolute(asset)
        for alternate in (asset.get("alternate") or {}).values():
            if isinstance(alternate, dict):
                absolute(alternate)
    return obj


class StacApi:
    """A real STAC API on loopback, loaded with a local catalog directory.

    workdir: parent of the temp dir (database, logs, rewritten ndjson); it must
    be traversable by the `postgres` user when running as root. Default: /tmp.
    stac_python: Python of the venv holding requirements-stac.txt.
    cog_server: a started RangeHTTPServer to use for asset hrefs (else our own).
    """

    def __init__(self, catalog_dir, workdir=None, stac_python=None, cog_server=None):
        self.catalog_dir = Path(catalog_dir).resolve()
        self.workdir = Path(workdir) if workdir else None
        self.stac_python = Path(stac_python or DEFAULT_STAC_PYTHON)
        self._cog_server = cog_server
        self._own_cog_server = cog_server is None
        self.tmp: Path | None = None
        self.pgdata: Path | None = None
        self.pg_port: int | None = None
        self.api_port: int | None = None
        self._postgres: subprocess.Popen | None = None
        self._pg_log = None
        self._uvicorn: subprocess.Popen | None = None
        self._uvicorn_log = None
        self.startup_seconds: float | None = None

    # -- public ------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    @property
    def cog_url(self) -> str:
        return self._cog_server.url

    def start(self) -> "StacApi":
        t0 = time.monotonic()
        if not self.stac_python.exists():
            raise RuntimeError(
                f"{self.stac_python} not found: create it with\n"
                f"  /usr/bin/python3 -m venv {REPO / '.venv-stac'}\n"
                f"  {REPO / '.venv-stac/bin/pip'} install -r {REPO / 'requirements-stac.txt'}"
            )
        atexit.register(self.stop)  # no orphan postgres/uvicorn if caller forgets
        try:
            self._make_tmp()
            self._start_postgres()
            self._run_pypgstac("migrate")
            if self._cog_server is None:
                self._cog_server = RangeHTTPServer(self.catalog_dir).start()
            self._load_catalog()
            self._start_uvicorn()
        except BaseException:
            self.stop()  # clean up whatever did start
            raise
        self.startup_seconds = time.monotonic() - t0
        return self

    def stop(self) -> None:
        # Idempotent, and safe after a partial start(): API first (it holds DB
        # connections), then the database, the file server, the temp dir.
        if self._uvicorn is not None:
            proc, self._uvicorn = self._uvicorn, None
            _terminate(proc)
        if self._uvicorn_log is not None:
            self._uvicorn_log.close()
            self._uvicorn_log = None
        if self._postgres is not None:
            proc, self._postgres = self._postgres, None
            # SIGINT is PostgreSQL's "fast" shutdown (what `pg_ctl stop -m fast`
            # sends); waiting on our own child reaps it (no zombie).
            _terminate(proc, signal.SIGINT, timeout=30)
        if self._pg_log is not None:
            self._pg_log.close()
            self._pg_log = None
        if self._own_cog_server and self._cog_server is not None:
            self._cog_server.stop()
            self._cog_server = None
        if self.tmp is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None
        atexit.unregister(self.stop)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # -- steps -------------------------------------------------------------

    @staticmethod
    def _pg_user() -> dict:
        """initdb/postgres refuse to run as root: run them as `postgres` then.

        Popen(user=...) rather than `runuser`/`pg_ctl start`, so the server stays
        our direct child: we can signal and reap it, and it never daemonizes.
        """
        if os.geteuid() == 0:
            return {"user": "postgres", "group": "postgres", "extra_groups": []}
        return {}

    def _make_tmp(self) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="sits-stac-api-", dir=self.workdir))
        self.pgdata = self.tmp / "pgdata"
        if os.geteuid() == 0:
            shutil.chown(self.tmp, "postgres", "postgres")
            # postgres must reach the dir through every parent (0700 dirs block it).
            probe = subprocess.run(["test", "-w", str(self.tmp)], check=False,
                                   **self._pg_user())
            if probe.returncode != 0:
                raise RuntimeError(
                    f"user 'postgres' cannot write {self.tmp}; pass a workdir "
                    "whose parents are world-traversable (e.g. under /tmp)"
                )

    def _start_postgres(self) -> None:
        initdb = subprocess.run(
            [str(PG_BIN / "initdb"), "-D", str(self.pgdata), "-U", "postgres",
             "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"],
            capture_output=True, text=True, check=False, cwd=self.tmp, timeout=120,
            **self._pg_user(),
        )
        if initdb.returncode != 0:
            raise RuntimeError(f"initdb failed:\n{initdb.stdout}\n{initdb.stderr}")

        self.pg_port = free_port()
        # Loopback TCP only, socket in our own dir (no clash with a system
        # cluster), durability off: this database is thrown away.
        log = self.tmp / "postgres.log"
        self._pg_log = open(log, "w")
        self._postgres = subprocess.Popen(
            [*_die_with_parent("INT"), str(PG_BIN / "postgres"), "-D", str(self.pgdata),
             "-p", str(self.pg_port),
             "-c", "listen_addresses=127.0.0.1",
             "-c", f"unix_socket_directories={self.tmp}",
             "-c", "fsync=off", "-c", "synchronous_commit=off",
             "-c", "full_page_writes=off",
             # pgstac reads `pgstac.*` GUCs as settings: return numberMatched.
             "-c", "pgstac.context=on"],
            stdout=self._pg_log, stderr=subprocess.STDOUT, cwd=self.tmp,
            # Own session: a terminal's Ctrl-C reaches us, and we stop it in order.
            start_new_session=True, **self._pg_user(),
        )
        deadline = time.monotonic() + 30
        while True:
            if self._postgres.poll() is not None:
                raise RuntimeError(f"postgres exited with {self._postgres.returncode}:\n{_tail(log)}")
            ready = subprocess.run(
                [str(PG_BIN / "pg_isready"), "-q", "-h", "127.0.0.1",
                 "-p", str(self.pg_port), "-U", "postgres", "-t", "2"],
                check=False,
            )
            if ready.returncode == 0:
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"postgres not ready after 30s:\n{_tail(log)}")
            time.sleep(0.2)

    def _env(self) -> dict:
        """Environment of the .venv-stac subprocesses."""
        env = {
            k: v for k, v in os.environ.items()
            # Our venv's / QGIS's paths must not leak into the other venv; stray
            # PG*/API settings from the caller must not override ours.
            if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "ENABLED_EXTENSIONS")
            and not k.startswith("PG") and not k.startswith("POSTGRES_")
        }
        env.update({
            # libpq (pypgstac) and stac-fastapi-pgstac's PostgresSettings both
            # read PGUSER/PGPASSWORD/PGHOST/PGPORT/PGDATABASE; the password is
            # required by the settings model but unused (trust auth).
            "PGUSER": "postgres",
            "PGPASSWORD": "unused",
            "PGHOST": "127.0.0.1",
            "PGPORT": str(self.pg_port),
            "PGDATABASE": "postgres",
            # Read-only API with the search extensions the plugin relies on.
            "ENABLED_EXTENSIONS": "query,sort,fields,filter,pagination,collection_search",
            "ENABLE_TRANSACTIONS_EXTENSIONS": "false",
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
        })
        return env

    def _run_pypgstac(self, *args: str) -> None:
        proc = subprocess.run(
            [str(self.stac_python), "-m", "pypgstac.pypgstac", *args],
            capture_output=True, text=True, env=self._env(), cwd=self.tmp,
            timeout=300, check=False,
        )
        if proc.returncode != 0:
            out = (proc.stdout + proc.stderr)[-4000:]
            raise RuntimeError(f"pypgstac {' '.join(args)} failed:\n{out}")

    def _load_catalog(self) -> None:
        base = self.cog_url
        collections = sorted(glob.glob(str(self.catalog_dir / "collections" / "*.json")))
        if not collections:
            raise RuntimeError(f"no collections in {self.catalog_dir / 'collections'}")
        coll_file = self.tmp / "collections.ndjson"
        with open(coll_file, "w") as out:
            for path in collections:
                coll = rewrite_hrefs(json.loads(Path(path).read_text()), base)
                out.write(json.dumps(coll) + "\n")

        items_file = self.tmp / "items.ndjson"
        n_items = 0
        with open(items_file, "w") as out:
            for path in sorted(glob.glob(str(self.catalog_dir / "items" / "*.ndjson"))):
                for line in Path(path).read_text().splitlines():
                    if line.strip():  # pypgstac chokes on blank lines
                        out.write(json.dumps(rewrite_hrefs(json.loads(line), base)) + "\n")
                        n_items += 1

        queryables = dict(DEFAULT_QUERYABLES)
        extra = self.catalog_dir / "queryables.json"
        if extra.exists():
            queryables.update(json.loads(extra.read_text()).get("properties", {}))
        q_file = self.tmp / "queryables.json"
        q_file.write_text(json.dumps({"type": "object", "properties": queryables}))

        # Collections first: pgstac partitions items by collection.
        self._run_pypgstac("load", "collections", str(coll_file), "--method", "upsert")
        self._run_pypgstac("load_queryables", str(q_file))
        if n_items:
            self._run_pypgstac("load", "items", str(items_file), "--method", "upsert")

    def _start_uvicorn(self) -> None:
        self.api_port = free_port()
        log_path = self.tmp / "uvicorn.log"
        self._uvicorn_log = open(log_path, "w")
        # The installed stac-fastapi-pgstac exposes an app factory, not `app`.
        # cwd=tmp so its settings never pick up a stray `.env` file.
        self._uvicorn = subprocess.Popen(
            [*_die_with_parent("TERM"), str(self.stac_python), "-m", "uvicorn",
             "stac_fastapi.pgstac.app:create_app",
             "--factory", "--host", "127.0.0.1", "--port", str(self.api_port),
             "--log-level", "warning", "--no-access-log"],
            stdout=self._uvicorn_log, stderr=subprocess.STDOUT,
            env=self._env(), cwd=self.tmp, start_new_session=True,
        )
        # Links in responses come from the Host header, i.e. this loopback URL.
        deadline = time.monotonic() + API_START_TIMEOUT
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        while True:
            if self._uvicorn.poll() is not None:
                raise RuntimeError(
                    f"uvicorn exited with {self._uvicorn.returncode}:\n{_tail(log_path)}"
                )
            try:
                with opener.open(f"{self.url}/conformance", timeout=5) as r:
                    if r.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"STAC API not answering {self.url}/conformance after "
                    f"{API_START_TIMEOUT:.0f}s:\n{_tail(log_path)}"
                )
            time.sleep(0.2)


# --------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------


def _serve(args) -> int:
    stop = threading.Event()
    # SIGTERM/SIGINT only set a flag: cleanup runs in the main thread below.
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    api = StacApi(args.catalog, workdir=args.workdir, stac_python=args.stac_python)
    state = Path(args.state) if args.state else None
    try:
        api.start()
        info = {"url": api.url, "cog_url": api.cog_url, "pid": os.getpid()}
        print(f"STAC API: {api.url}", flush=True)
        print(f"COG server: {api.cog_url}", flush=True)
        print(f"(started in {api.startup_seconds:.1f}s; SIGTERM/Ctrl-C to stop)", flush=True)
        if state:
            # Atomic write: a reader never sees a half-written state file.
            tmp = state.with_name(state.name + ".tmp")
            tmp.write_text(json.dumps(info))
            tmp.replace(state)
        while not stop.wait(1.0):
            pass
    finally:
        api.stop()
        if state and state.exists():
            state.unlink()  # a stale state file would point at dead servers
    return 0


def _files(args) -> int:
    """Child side of RangeHTTPServer: serve, print the port, run until SIGTERM."""
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    server = RangeHTTPServer(args.directory, host=args.host, port=args.port,
                             in_process=True).start()
    print(server.port, flush=True)
    while not stop.wait(1.0):
        pass
    server.stop()
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    serve = sub.add_parser("serve", help="run the STAC API until SIGTERM/SIGINT")
    serve.add_argument("--catalog", required=True, help="sample catalog directory")
    serve.add_argument("--state", help="write {url, cog_url, pid} as JSON here once ready")
    serve.add_argument("--workdir", help="parent dir for the temp database/logs")
    serve.add_argument("--stac-python", help=f"default: {DEFAULT_STAC_PYTHON}")
    files = sub.add_parser("files", help="serve a directory with Range support")
    files.add_argument("--directory", required=True)
    files.add_argument("--host", default="127.0.0.1")
    files.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    return _serve(args) if args.cmd == "serve" else _files(args)


if __name__ == "__main__":
    sys.exit(main())
