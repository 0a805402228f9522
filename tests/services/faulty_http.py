"""A loopback HTTP proxy that injects faults, for reliability tests.

It forwards every request to a real upstream on loopback (the STAC API or the
COG file server) and, when a rule matches, misbehaves the way public
catalogs and object stores do:

    status    answer `status` (503, 429 …) with an optional Retry-After
              ("1", an HTTP date, or "date:N" for "N seconds from now")
    slow      sleep `delay` seconds before forwarding (longer than the client's timeout)
    drop      close the connection without answering
    truncate  forward, then send only the first half of the body (Content-Length
              matching the cut body, so the client sees complete but invalid JSON)
    corrupt   forward, then replace every byte of the body (a damaged COG)
    missing   answer 404 (a deleted asset)
    replace   forward, then replace the bytes `old` by `new` in the body (e.g. take a
              conformance class out of the landing page: an item-search-only API)

A rule is a dict: {"fault": ..., "match": "substring of the path" (default:
every path), "skip": K (let the first K matching requests through),
"count": N (then misbehave N times; None: always), "from_byte": B (only
Range requests starting at or after byte B: damage a COG's data, not its
header), plus "status", "retry_after", "delay"}. The first rule that applies wins.

Control and counters are HTTP endpoints of the proxy itself (so they work
with the proxy in a child process): POST /__faults__/rules (JSON list),
GET /__faults__/stats. `FaultyProxy` wraps them.

The proxy runs in a child process by default: GDAL reads COGs through it,
and in-process it could deadlock on the GIL (see RangeHTTPServer). Stdlib
only; it binds 127.0.0.1 and refuses upstreams that are not loopback.
Every loop is bounded (upstream timeout, a slow fault's delay, the caller's
bounded waits).
"""

from __future__ import annotations

import argparse
import email.utils
import http.client
import json
import select
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlparse

try:  # imported as services.faulty_http by the tests
    from services.stac_api import _die_with_parent, _plain_python, _terminate
except ImportError:  # run as a script (the child process)
    from stac_api import _die_with_parent, _plain_python, _terminate

CONTROL = "/__faults__"
UPSTREAM_TIMEOUT = 30.0  # seconds: the proxy never waits longer on its upstream
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
# Hop-by-hop headers are the proxy's own business, never forwarded.
HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade", "content-length"}


class FaultState:
    """Rules and counters, shared by the handler threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.rules: list[dict] = []
        self.seen: list[int] = []  # matching requests seen, per rule
        self.requests = 0
        self.forwarded = 0
        self.injected: dict[str, int] = {}
        self.paths: dict[str, int] = {}

    def set_rules(self, rules: list[dict]) -> None:
        with self.lock:
            self.rules = [dict(rule) for rule in rules]
            self.seen = [0] * len(self.rules)
            self.requests, self.forwarded, self.injected, self.paths = 0, 0, {}, {}

    def choose(self, path: str, range_start: int | None = None) -> dict | None:
        """The rule to apply to this request, if any (and count it)."""
        with self.lock:
            self.requests += 1
            key = path.split("?")[0]
            self.paths[key] = self.paths.get(key, 0) + 1
            for index, rule in enumerate(self.rules):
                if rule.get("match", "") not in path:
                    continue
                if rule.get("from_byte") is not None and (range_start is None or range_start < rule["from_byte"]):
                    continue
                self.seen[index] += 1
                skip, count = rule.get("skip", 0), rule.get("count")
                if self.seen[index] <= skip:
                    return None  # let this one through untouched
                if count is not None and self.seen[index] > skip + count:
                    continue
                self.injected[rule["fault"]] = self.injected.get(rule["fault"], 0) + 1
                return rule
            return None

    def stats(self) -> dict:
        with self.lock:
            return {
                "requests": self.requests, "forwarded": self.forwarded,
                "injected": dict(self.injected), "paths": dict(self.paths),
            }


def _range_start(header: str | None) -> int | None:
    """First byte of a 'bytes=A-B' Range header, None without one."""
    if not header or not header.startswith("bytes="):
        return None
    first = header[6:].split(",")[0].split("-")[0].strip()
    return int(first) if first.isdigit() else None


def _retry_after(value: str) -> str:
    if value.startswith("date:"):  # an HTTP date N seconds ahead, computed now
        return email.utils.formatdate(time.time() + float(value[5:]), usegmt=True)
    return value


class _FaultyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as GDAL and requests expect
    state: FaultState
    upstream: str

    def log_message(self, format, *args):  # noqa: A002
        pass

    def do_GET(self):  # noqa: N802
        self._handle()

    def do_HEAD(self):  # noqa: N802
        self._handle()

    def do_POST(self):  # noqa: N802
        self._handle()

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(self, status: int, body: bytes, headers: list[tuple[str, str]] = (), length: int | None = None) -> None:
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        # A HEAD answer has no body but must announce the file's size (GDAL reads it).
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _handle(self):
        body = self._body()
        if self.path.startswith(CONTROL):
            return self._control(body)
        rule = self.state.choose(self.path, _range_start(self.headers.get("Range")))
        fault = rule["fault"] if rule else None
        try:
            if fault == "drop":
                # No status line, nothing: the client sees the connection closed.
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            if fault == "status":
                headers = [("Content-Type", "application/json")]
                if rule.get("retry_after"):
                    headers.append(("Retry-After", _retry_after(str(rule["retry_after"]))))
                message = json.dumps({"code": "InjectedFault", "description": f"injected HTTP {rule['status']}"}).encode()
                return self._send(int(rule["status"]), message, headers)
            if fault == "missing":
                return self._send(404, b'{"detail": "Not Found"}', [("Content-Type", "application/json")])
            if fault == "slow":
                time.sleep(float(rule.get("delay", 5)))
            status, headers, data, length = self._forward(body)
            if fault == "truncate":
                data = data[: len(data) // 2]
            elif fault == "corrupt":
                data = bytes(b ^ 0x5A for b in data)  # same length, every byte wrong
            elif fault == "replace":
                data = data.replace(rule["old"].encode(), rule["new"].encode())
            self._send(status, data, headers, length if self.command == "HEAD" and fault != "replace" else None)
        except (BrokenPipeError, ConnectionResetError, socket.timeout, OSError):
            self.close_connection = True  # the client gave up (e.g. its timeout): nothing to answer

    def _forward(self, body: bytes):
        parsed = urlparse(self.upstream)
        connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=UPSTREAM_TIMEOUT)
        try:
            # The client's Host header is kept: the STAC API then builds its links
            # (next pages, search) on the proxy's address, so later pages come back here.
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            headers["Accept-Encoding"] = "identity"  # plain bodies, so truncation/corruption mean what they say
            headers["Connection"] = "close"
            connection.request(self.command, self.path, body=body or None, headers=headers)
            response = connection.getresponse()
            data = response.read()
            kept = [(k, v) for k, v in response.getheaders() if k.lower() not in HOP_BY_HOP]
            length = response.getheader("Content-Length")
            with self.state.lock:
                self.state.forwarded += 1
            return response.status, kept, data, int(length) if length and length.isdigit() else len(data)
        finally:
            connection.close()

    def _control(self, body: bytes):
        if self.path == f"{CONTROL}/rules" and self.command == "POST":
            self.state.set_rules(json.loads(body or b"[]"))
            return self._send(200, b"{}", [("Content-Type", "application/json")])
        if self.path == f"{CONTROL}/stats":
            return self._send(200, json.dumps(self.state.stats()).encode(), [("Content-Type", "application/json")])
        return self._send(404, b"{}")


def _check_loopback(url: str) -> None:
    host = urlparse(url).hostname
    if host not in LOOPBACK:
        raise ValueError(f"faulty_http only proxies loopback upstreams, not {url}")


def make_server(upstream: str, host: str = "127.0.0.1", port: int = 0) -> ThreadingHTTPServer:
    _check_loopback(upstream)
    if host not in LOOPBACK:
        raise ValueError("faulty_http binds loopback only")
    handler = type("Handler", (_FaultyHandler,), {"state": FaultState(), "upstream": upstream.rstrip("/")})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


class FaultyProxy:
    """Start the proxy in front of `upstream`; `set_faults(rules)`, `stats()`, `url`."""

    def __init__(self, upstream: str, in_process: bool = False):
        _check_loopback(upstream)
        self.upstream = upstream
        self.in_process = in_process
        self.port = 0
        self._proc: subprocess.Popen | None = None
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        # Control calls must never go through an environment proxy.
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "FaultyProxy":
        if self.in_process:
            self._server = make_server(self.upstream)
            self.port = self._server.server_address[1]
            self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
            self._thread.start()
            return self
        self._proc = subprocess.Popen(
            [*_die_with_parent("TERM"), _plain_python(), str(Path(__file__).resolve()), "--upstream", self.upstream],
            stdout=subprocess.PIPE, text=True, start_new_session=True,
        )
        ready, _, _ = select.select([self._proc.stdout], [], [], 20)  # bounded wait for the port
        line = self._proc.stdout.readline() if ready else ""
        self._proc.stdout.close()
        if not line.strip().isdigit():
            self.stop()
            raise RuntimeError(f"faulty proxy did not start (got {line!r})")
        self.port = int(line)
        return self

    def _call(self, path: str, data: bytes | None = None) -> dict:
        request = urllib.request.Request(f"{self.url}{CONTROL}{path}", data=data, method="POST" if data is not None else "GET")
        with self._opener.open(request, timeout=10) as response:
            return json.loads(response.read() or b"{}")

    def set_faults(self, rules: list[dict]) -> None:
        """Replace the rules and reset the counters."""
        self._call("/rules", json.dumps(rules).encode())

    def stats(self) -> dict:
        return self._call("/stats")

    def stop(self) -> None:
        if self._proc is not None:
            proc, self._proc = self._proc, None
            _terminate(proc)
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--upstream", required=True)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    server = make_server(args.upstream, port=args.port)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    print(server.server_address[1], flush=True)
    while not stop.wait(1.0):
        pass
    server.shutdown()
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
