"""Loopback servers for authenticated catalogs and signed assets.

Three modes, each a small HTTP server in a child process (GDAL reads COGs
through the SAS gate; in-process it could deadlock on the GIL, see
RangeHTTPServer in stac_api.py):

    token   a SAS token endpoint like the Planetary Computer's
            (GET /<anything> -> {"token": "sv=…&se=…&sig=…", "msft:expiry": "…"}),
            tokens valid `lifetime` seconds; counts the calls per path.
    sas     a proxy in front of a COG server that serves only URLs carrying a
            token minted by `token` (``sv`` present, ``sig`` with the shared
            secret, ``se`` not past) and answers 403 otherwise, as Azure does;
            the query string is dropped before forwarding.
    header  a proxy in front of the STAC API that answers 401 unless the
            request carries the header `--header "Name: value"`; the Host
            header is kept, so the API's links come back through the proxy.

Control (all modes): GET /__control__/stats -> {"calls": n, "paths": {...},
"refused": n, "served": n}; POST /__control__/config {"lifetime": s} (token).
Stdlib only; binds 127.0.0.1 and proxies loopback upstreams only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import select
import subprocess
import sys
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

try:  # imported as services.token_server by the tests
    from services.stac_api import _die_with_parent, _plain_python, _terminate
except ImportError:  # run as a script (the child process)
    from stac_api import _die_with_parent, _plain_python, _terminate

CONTROL = "/__control__"
SECRET = "loopback-secret"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade", "content-length"}


class State:
    def __init__(self, mode: str, upstream: str = "", header: str = "", lifetime: float = 3600.0):
        self.lock = threading.Lock()
        self.mode, self.upstream, self.lifetime = mode, upstream.rstrip("/"), lifetime
        name, _, value = header.partition(":")
        self.header = (name.strip(), value.strip())
        self.calls, self.refused, self.served = 0, 0, 0
        self.paths: dict[str, int] = {}

    def stats(self) -> dict:
        with self.lock:
            return {"calls": self.calls, "refused": self.refused, "served": self.served, "paths": dict(self.paths)}


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _stamp(when: dt.datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def valid_token(query: str) -> bool:
    fields = parse_qs(query)
    if not fields.get("sv") or not fields.get("sig", [""])[0].startswith(SECRET) or not fields.get("se"):
        return False
    try:
        expiry = dt.datetime.strptime(fields["se"][0], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc)
    except ValueError:
        return False
    return expiry > _now()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    state: State

    def log_message(self, format, *args):  # noqa: A002
        pass

    def do_GET(self):  # noqa: N802
        self._handle()

    def do_HEAD(self):  # noqa: N802
        self._handle()

    def do_POST(self):  # noqa: N802
        self._handle()

    def _send(self, status: int, body: bytes, headers=(), length: int | None = None) -> None:
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, data) -> None:
        self._send(status, json.dumps(data).encode(), [("Content-Type", "application/json")])

    def _handle(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parsed = urlparse(self.path)
        if parsed.path.startswith(CONTROL):
            return self._control(parsed.path, body)
        state = self.state
        try:
            if state.mode == "token":
                with state.lock:
                    state.calls += 1
                    state.paths[parsed.path] = state.paths.get(parsed.path, 0) + 1
                    n, lifetime = state.calls, state.lifetime
                expiry = _stamp(_now() + dt.timedelta(seconds=lifetime))
                token = f"st=2024-01-01T00%3A00%3A00Z&se={expiry}&sp=rl&sv=2021-06-08&sr=c&skoid=loopback&sig={SECRET}-{n}"
                return self._json(200, {"msft:expiry": expiry, "token": token})
            if state.mode == "sas":
                if not valid_token(parsed.query):
                    with state.lock:
                        state.refused += 1
                    return self._send(403, b"<Error><Code>AuthenticationFailed</Code></Error>", [("Content-Type", "application/xml")])
                return self._forward(parsed.path, body)
            if state.mode == "header":
                name, value = state.header
                if self.headers.get(name) != value:
                    with state.lock:
                        state.refused += 1
                    return self._json(401, {"code": "Unauthorized", "description": f"missing or wrong {name} header"})
                return self._forward(self.path, body)
        except (BrokenPipeError, ConnectionResetError, OSError):
            self.close_connection = True

    def _forward(self, path: str, body: bytes):
        parsed = urlparse(self.state.upstream)
        connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
        try:
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            headers["Accept-Encoding"] = "identity"
            headers["Connection"] = "close"
            connection.request(self.command, path, body=body or None, headers=headers)
            response = connection.getresponse()
            data = response.read()
            kept = [(k, v) for k, v in response.getheaders() if k.lower() not in HOP_BY_HOP]
            declared = response.getheader("Content-Length")
            with self.state.lock:
                self.state.served += 1
            length = int(declared) if self.command == "HEAD" and declared and declared.isdigit() else None
            self._send(response.status, data, kept, length)
        finally:
            connection.close()

    def _control(self, path: str, body: bytes):
        if path == f"{CONTROL}/stats":
            return self._json(200, self.state.stats())
        if path == f"{CONTROL}/config" and self.command == "POST":
            config = json.loads(body or b"{}")
            with self.state.lock:
                if "lifetime" in config:
                    self.state.lifetime = float(config["lifetime"])
                if config.get("reset"):
                    self.state.calls, self.state.refused, self.state.served, self.state.paths = 0, 0, 0, {}
            return self._json(200, {})
        return self._json(404, {})


def make_server(state: State, port: int = 0) -> ThreadingHTTPServer:
    if state.upstream and urlparse(state.upstream).hostname not in LOOPBACK:
        raise ValueError(f"token_server only proxies loopback upstreams, not {state.upstream}")
    handler = type("BoundHandler", (Handler,), {"state": state})
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    return server


class LoopbackServer:
    """Start one mode in a child process: `url`, `stats()`, `configure(**config)`."""

    def __init__(self, mode: str, upstream: str = "", header: str = "", lifetime: float = 3600.0):
        self.args = ["--mode", mode, "--lifetime", str(lifetime)]
        if upstream:
            if urlparse(upstream).hostname not in LOOPBACK:
                raise ValueError(f"token_server only proxies loopback upstreams, not {upstream}")
            self.args += ["--upstream", upstream]
        if header:
            self.args += ["--header", header]
        self.port = 0
        self._proc: subprocess.Popen | None = None
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "LoopbackServer":
        self._proc = subprocess.Popen(
            [*_die_with_parent("TERM"), _plain_python(), str(Path(__file__).resolve()), *self.args],
            stdout=subprocess.PIPE, text=True, start_new_session=True,
        )
        ready, _, _ = select.select([self._proc.stdout], [], [], 20)
        line = self._proc.stdout.readline() if ready else ""
        self._proc.stdout.close()
        if not line.strip().isdigit():
            self.stop()
            raise RuntimeError(f"token_server did not start (got {line!r})")
        self.port = int(line)
        return self

    def _call(self, path: str, data: bytes | None = None) -> dict:
        request = urllib.request.Request(f"{self.url}{CONTROL}{path}", data=data, method="POST" if data is not None else "GET")
        with self._opener.open(request, timeout=10) as response:
            return json.loads(response.read() or b"{}")

    def stats(self) -> dict:
        return self._call("/stats")

    def configure(self, **config) -> None:
        self._call("/config", json.dumps(config).encode())

    def stop(self) -> None:
        if self._proc is not None:
            proc, self._proc = self._proc, None
            _terminate(proc)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mode", choices=["token", "sas", "header"], required=True)
    parser.add_argument("--upstream", default="")
    parser.add_argument("--header", default="Authorization: Bearer test")
    parser.add_argument("--lifetime", type=float, default=3600.0)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    server = make_server(State(args.mode, args.upstream, args.header, args.lifetime), args.port)
    print(server.server_address[1], flush=True)
    server.serve_forever(poll_interval=0.2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
