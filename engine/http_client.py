"""HTTP policy for public catalogs: timeouts, bounded retries, Retry-After.

Public STAC APIs rate-limit (429), go down for a minute (502/503/504), stall
and drop connections. This module gives pystac-client a ``StacApiIO`` whose
``requests`` session retries those failures with exponential backoff and
honours ``Retry-After``, while keeping the total time of one request bounded
and predictable, and gives GDAL (asset reads) the matching options.

The bound, for one HTTP request (the landing page, one page of a search …):

- every attempt waits at most ``timeout`` to connect and at most ``timeout``
  between two bytes of the answer (``requests`` semantics);
- at most ``1 + retries`` attempts, and a *timeout* (a silent server) is
  retried only ``timeout_retries`` times: waiting twice for a server that
  does not answer is useful, five times is not;
- the wait before retry n is ``backoff * 2**(n-1)`` (0.5, 1, 2, 4 s by
  default), or the server's ``Retry-After`` (seconds or an HTTP date), never
  more than ``max_wait``;
- a retry is made only if its wait plus one ``timeout`` still ends before
  ``deadline`` seconds after the first attempt.

So one request takes at most ``deadline + timeout`` seconds (``bound()``),
whatever the server does, short of trickling its answer one byte per
``timeout``. A search of N pages takes at most N times that.

urllib3 1.26 (what requests uses here) does the counting; the subclass only
adds the timeout limit, the capped waits, the deadline and the reports.
"""

import email.utils
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional

# Statuses worth retrying: rate limit and the transient server/gateway errors.
RETRY_STATUSES = (429, 500, 502, 503, 504)


@dataclass(frozen=True)
class HttpPolicy:
    timeout: float = 30.0  # seconds to connect, and between two bytes of an answer
    retries: int = 4  # extra attempts after the first (429/5xx, connection errors)
    backoff: float = 0.5  # wait before the first retry; doubles each retry
    max_wait: float = 60.0  # cap on one wait, Retry-After included
    deadline: float = 120.0  # no retry starts that could end later than this after the first attempt
    timeout_retries: int = 1  # a server that does not answer within `timeout` is retried this often

    def effective_deadline(self) -> float:
        return max(self.deadline, self.timeout)  # the first attempt always gets its full timeout

    def bound(self) -> float:
        """Worst-case seconds for one HTTP request (see the module docstring)."""
        return self.effective_deadline() + self.timeout

    def gdal_options(self) -> Dict[str, str]:
        """The same policy for GDAL's /vsicurl/ reads (rasterio.Env / odc.stac.configure_rio).

        GDAL (3.6) retries 429/502/503/504 and some connection errors, starting
        at GDAL_HTTP_RETRY_DELAY and growing the delay each time; it does not
        read Retry-After. A 404 is never retried (the asset is missing).
        """
        return {
            "GDAL_HTTP_MAX_RETRY": str(int(self.retries)),
            "GDAL_HTTP_RETRY_DELAY": f"{max(self.backoff, 0.1):g}",
            "GDAL_HTTP_TIMEOUT": str(max(1, int(round(self.timeout)))),
            "GDAL_HTTP_CONNECTTIMEOUT": str(max(1, int(round(self.timeout)))),
        }


@dataclass
class RequestLog:
    """What happened to the requests of one client, for messages and tests."""

    report: Callable[[str], None] = lambda message: None
    retries: int = 0  # retries made over all requests
    statuses: List[int] = field(default_factory=list)  # retried HTTP statuses, in order
    last_url: Optional[str] = None
    last_status: Optional[int] = None  # last HTTP status received (None: no answer)
    last_attempts: int = 0  # attempts of the last request
    _clock: threading.local = field(default_factory=threading.local)

    def start(self, url: str) -> None:
        """A new logical request: its deadline counts from now."""
        self._clock.started = time.monotonic()
        self.last_url, self.last_status, self.last_attempts = url, None, 1

    def started(self) -> Optional[float]:
        return getattr(self._clock, "started", None)


def _retry_class():
    """The Retry subclass, built lazily so importing this module needs no urllib3."""
    from urllib3.exceptions import ConnectTimeoutError, MaxRetryError, NewConnectionError, ReadTimeoutError, ResponseError
    from urllib3.util.retry import Retry

    def is_timeout(error) -> bool:
        # NewConnectionError (refused, no route) subclasses ConnectTimeoutError in urllib3 1.26.
        return isinstance(error, (ReadTimeoutError, ConnectTimeoutError)) and not isinstance(error, NewConnectionError)

    class BoundedRetry(Retry):
        def __init__(self, *args, policy: HttpPolicy = HttpPolicy(), log: Optional[RequestLog] = None, **kwargs):
            super().__init__(*args, **kwargs)
            self.policy = policy
            self.log = log or RequestLog()

        def new(self, **kwargs):
            # urllib3 makes a new Retry at each failure: carry our fields along.
            kwargs.setdefault("policy", self.policy)
            kwargs.setdefault("log", self.log)
            return super().new(**kwargs)

        def planned_wait(self, response=None) -> float:
            """Retry-After if the server sent one (capped), else exponential backoff."""
            wait = None
            if response is not None and self.respect_retry_after_header:
                header = response.getheader("Retry-After")
                if header:
                    wait = _parse_retry_after(header)
            if wait is None:
                wait = self.policy.backoff * 2 ** max(0, len(self.history) - 1)
            return max(0.0, min(wait, self.policy.max_wait))

        def increment(self, method=None, url=None, response=None, error=None, _pool=None, _stacktrace=None):
            status = getattr(response, "status", None)
            if status is not None:
                self.log.last_status = status
            new = super().increment(method, url, response, error, _pool, _stacktrace)  # raises when the counts are used up
            reason = error or ResponseError(f"HTTP {status}")
            timeouts = sum(1 for entry in new.history if is_timeout(entry.error))
            if timeouts > self.policy.timeout_retries:
                raise MaxRetryError(_pool, url, reason)
            started = self.log.started()
            wait = new.planned_wait(response)
            if started is not None and time.monotonic() + wait + self.policy.timeout > started + self.policy.effective_deadline():
                # Not enough time left for a wait and one more attempt: give up now, with the last answer.
                raise MaxRetryError(_pool, url, reason)
            what = f"HTTP {status}" if status is not None else _short_error(error)
            self.log.retries += 1
            self.log.last_attempts += 1
            if status is not None:
                self.log.statuses.append(status)
            self.log.report(
                f"{url}: {what}; retry {len(new.history)}/{self.policy.retries} in {wait:.1f} s."
            )
            return new

        def sleep(self, response=None):
            # Same wait as announced in increment(), capped, Retry-After included.
            wait = self.planned_wait(response)
            if wait > 0:
                time.sleep(wait)

    return BoundedRetry


def _parse_retry_after(header: str) -> Optional[float]:
    """Seconds from a Retry-After header: delta-seconds or an HTTP date; None if unreadable."""
    header = header.strip()
    if header.isdigit():
        return float(header)
    try:
        when = email.utils.parsedate_to_datetime(header)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - time.time())


def _short_error(error) -> str:
    text = f"{type(error).__name__}: {error}" if error is not None else "error"
    return text if len(text) <= 160 else text[:160] + "…"


def make_retry(policy: HttpPolicy, log: RequestLog):
    """A urllib3 Retry implementing the policy (see the module docstring)."""
    return _retry_class()(
        total=policy.retries,
        connect=None,
        read=None,
        redirect=5,
        status=None,
        backoff_factor=policy.backoff,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=None,  # also POST: a STAC search changes nothing on the server
        raise_on_status=False,  # hand back the last answer so the error can name its status
        respect_retry_after_header=True,
        policy=policy,
        log=log,
    )


# Header names that must never be set by hand (requests/urllib3 compute them).
_RESERVED_HEADERS = {"host", "content-length", "transfer-encoding", "connection"}


def parse_headers(text) -> Dict[str, str]:
    """Extra HTTP headers from the HEADERS parameter.

    Accepts a JSON object ``{"Authorization": "Bearer …", "X-Api-Key": "…"}``
    or ``Name: value`` lines (newlines, or ``;;`` / ``|`` separators where a
    single line is all a form or a command line allows). Blank lines and lines
    starting with ``#`` are ignored. Raises ValueError with a readable message.
    """
    import json

    if isinstance(text, dict):
        pairs = list(text.items())
    else:
        text = (text or "").strip()
        if not text:
            return {}
        if text.startswith(("{", "[")):
            try:
                data = json.loads(text)
            except json.JSONDecodeError as err:
                raise ValueError(f"HEADERS looks like JSON but is not valid JSON ({err}).")
            if not isinstance(data, dict):
                raise ValueError("HEADERS as JSON must be an object of header names to values.")
            pairs = list(data.items())
        else:
            pairs = []
            # Messages never quote a line or a value: they may hold a token (they reach logs).
            for number, line in enumerate(text.replace(";;", "\n").replace("|", "\n").splitlines(), start=1):
                line = line.strip()
                if not line or line.startswith("#"):
                    continue
                name, sep, value = line.partition(":")
                if not sep:
                    raise ValueError(f"HEADERS line {number} is not 'Name: value' (e.g. 'Authorization: Bearer …').")
                pairs.append((name, value))
    headers: Dict[str, str] = {}
    for name, value in pairs:
        name = str(name).strip()
        if not name or any(c.isspace() or c in ':()<>@,;\\"/[]?={}' for c in name):
            shown = name if len(name) <= 40 and not any(c.isspace() for c in name) else name[:4] + "…"
            raise ValueError(f"'{shown}' is not a valid HTTP header name (HEADERS: 'Name: value' lines).")
        if name.lower() in _RESERVED_HEADERS:
            raise ValueError(f"The header '{name}' is set by the HTTP client itself and cannot be given.")
        value = str(value).strip()
        if "\n" in value or "\r" in value:
            raise ValueError(f"The value of header '{name}' spans several lines.")
        headers[name] = value
    return headers


def describe_headers(headers: Dict[str, str]) -> str:
    """Header names with their values hidden (for logs)."""
    return ", ".join(f"{name}: …" for name in headers) or "none"


def stac_api_io(policy: HttpPolicy, headers: Optional[Dict[str, str]] = None, report: Callable[[str], None] = None):
    """A pystac-client StacApiIO with the policy mounted on its requests session.

    `headers` (authentication, API keys …) are session headers: sent on every
    request of the client, the landing page, conformance, collections and
    every page of a search. The RequestLog is reachable as ``io.log``
    (retries made, last URL and status).
    """
    from pystac_client.stac_api_io import StacApiIO
    from requests.adapters import HTTPAdapter

    class PolicyStacApiIO(StacApiIO):
        def request(self, href, method=None, headers=None, parameters=None):
            # Each logical request gets its own deadline (a page, the landing page…).
            self.log.start(href)
            return super().request(href, method=method, headers=headers, parameters=parameters)

    log = RequestLog(report=report or (lambda message: None))
    io = PolicyStacApiIO(headers=headers, timeout=policy.timeout, max_retries=None)
    if headers:
        io.session.headers.update(headers)
    adapter = HTTPAdapter(max_retries=make_retry(policy, log))
    io.session.mount("http://", adapter)
    io.session.mount("https://", adapter)
    io.log = log
    io.policy = policy
    return io
