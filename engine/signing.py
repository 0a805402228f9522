"""Shared Access Signature (SAS) tokens for assets on Azure Blob Storage.

The Planetary Computer serves its COGs from ``https://<account>.blob.core.windows.net/<container>/…``
and every read needs a SAS token appended to the URL. Tokens come from its
token endpoint, one per storage account and container:

    GET https://planetarycomputer.microsoft.com/api/sas/v1/token/<account>/<container>
    -> {"token": "sv=…&se=…&sp=rl&sig=…", "msft:expiry": "2024-05-04T12:34:56Z"}

What this module does:

- ``needs_signing(href, hosts)``: only hrefs whose host matches one of the
  patterns (default ``*.blob.core.windows.net``; more from
  ``SITSCUBE_SIGN_HOSTS`` or the ``sitscube/sign_hosts`` setting, comma
  separated fnmatch patterns, matched against ``host`` and ``host:port``),
  and not already signed (``sig=`` in the query).
- ``Signer`` (the ``patch_url`` of ``odc.stac.load``, also used by the asset
  probe): fetches a token per (account, container) once per load, keeps it in
  a process-wide cache with its expiry (``msft:expiry``, else the token's
  ``se=``), and fetches a new one when the cached token expires within
  ``margin`` seconds (5 minutes by default), so a token never expires in the
  middle of a short load and a load started later gets a fresh one.
- The token endpoint is configurable: setting ``sitscube/pc_token_endpoint``,
  variable ``SITSCUBE_PC_TOKEN_ENDPOINT``. Without placeholders
  ``/<account>/<container>`` is appended; a template may use ``{account}``,
  ``{container}`` and ``{collection}`` (the item's collection), e.g.
  ``https://planetarycomputer.microsoft.com/api/sas/v1/token/{collection}``.
  A Planetary Computer subscription key in ``PC_SDK_SUBSCRIPTION_KEY`` is sent
  as ``Ocp-Apim-Subscription-Key`` (higher rate limits), as the official SDK does.
- A token endpoint that cannot be reached (after the HTTP retries) is a
  ``UserError`` naming it.

The signed URLs are fixed when the lazy cube is built (odc-stac applies
``patch_url`` then): a write that lasts longer than the token's remaining
life (at least ``margin``; Planetary Computer tokens last about an hour)
fails with HTTP 403 on the reads after the expiry; run it again.
"""

import datetime as dt
import fnmatch
import os
import re
import threading
from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional, Sequence, Tuple
from urllib.parse import parse_qs, urlparse

from .errors import UserError
from .http_client import HttpPolicy

DEFAULT_TOKEN_ENDPOINT = "https://planetarycomputer.microsoft.com/api/sas/v1/token"
DEFAULT_SIGN_HOSTS = ("*.blob.core.windows.net",)
REFRESH_MARGIN = 300.0  # seconds: a token expiring sooner than this is replaced
DEFAULT_LIFETIME = 3600.0  # seconds, when the endpoint says nothing about the expiry
_SIG = re.compile(r"(sig=)[^&\s'\"]+", re.IGNORECASE)


def token_endpoint(value: Optional[str] = None) -> str:
    return (value or os.environ.get("SITSCUBE_PC_TOKEN_ENDPOINT") or DEFAULT_TOKEN_ENDPOINT).strip()


def sign_hosts(extra: Iterable[str] = ()) -> List[str]:
    """Host patterns whose hrefs are signed: the default, SITSCUBE_SIGN_HOSTS, and `extra`."""
    patterns = list(DEFAULT_SIGN_HOSTS)
    patterns += [p.strip() for p in os.environ.get("SITSCUBE_SIGN_HOSTS", "").split(",") if p.strip()]
    patterns += [p.strip() for p in extra if p and p.strip()]
    return list(dict.fromkeys(patterns))


def is_signed(href: str) -> bool:
    return "sig" in parse_qs(urlparse(href).query)


def needs_signing(href: str, hosts: Sequence[str] = DEFAULT_SIGN_HOSTS) -> bool:
    parsed = urlparse(href or "")
    if parsed.scheme not in ("http", "https") or not parsed.hostname or is_signed(href):
        return False
    names = {parsed.hostname.lower(), parsed.netloc.lower()}
    return any(fnmatch.fnmatch(name, pattern.lower()) for pattern in hosts for name in names)


def account_container(href: str) -> Tuple[str, str]:
    """(storage account, container) of a blob URL; (host[:port], first path segment) elsewhere."""
    parsed = urlparse(href)
    host = parsed.hostname or ""
    account = host.split(".")[0] if host.lower().endswith(".blob.core.windows.net") else parsed.netloc
    container = parsed.path.lstrip("/").split("/")[0]
    return account, container


def redact(text: str) -> str:
    """Hide SAS signatures in messages and logs."""
    return _SIG.sub(r"\1…", text)


def append_token(href: str, token: str) -> str:
    token = token.lstrip("?&")
    return f"{href}{'&' if urlparse(href).query else '?'}{token}"


@dataclass(frozen=True)
class SasToken:
    token: str
    expiry: dt.datetime  # aware, UTC

    def seconds_left(self, now: Optional[dt.datetime] = None) -> float:
        return (self.expiry - (now or dt.datetime.now(dt.timezone.utc))).total_seconds()


def _parse_time(text: str) -> Optional[dt.datetime]:
    try:
        when = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except (AttributeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return when.astimezone(dt.timezone.utc)


def parse_token(answer: dict, url: str) -> SasToken:
    token = answer.get("token") if isinstance(answer, dict) else None
    if not token or not isinstance(token, str):
        raise UserError(f"The token endpoint {url} answered without a 'token': {str(answer)[:200]}.")
    expiry = _parse_time(answer.get("msft:expiry") or "")
    if expiry is None:
        se = parse_qs(token.lstrip("?")).get("se")
        expiry = _parse_time(se[0]) if se else None
    if expiry is None:
        expiry = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=DEFAULT_LIFETIME)
    return SasToken(token.lstrip("?"), expiry)


class TokenCache:
    """Tokens by token URL, shared by every load of the process."""

    def __init__(self):
        self.lock = threading.Lock()
        self.tokens: Dict[str, SasToken] = {}
        self.fetches = 0

    def get(self, url: str, margin: float) -> Optional[SasToken]:
        with self.lock:
            token = self.tokens.get(url)
        return token if token is not None and token.seconds_left() > margin else None

    def put(self, url: str, token: SasToken) -> None:
        with self.lock:
            self.tokens[url] = token
            self.fetches += 1

    def clear(self) -> None:
        with self.lock:
            self.tokens.clear()


CACHE = TokenCache()


class Signer:
    """Append SAS tokens to the hrefs that need them (callable: href -> href).

    One Signer per load: every href of a container gets the same token during
    the load, fetched at most once; the process-wide cache spares the fetch
    when the token it holds has more than `margin` seconds left.
    """

    def __init__(self, endpoint: Optional[str] = None, hosts: Optional[Sequence[str]] = None,
                 policy: Optional[HttpPolicy] = None, margin: float = REFRESH_MARGIN,
                 cache: TokenCache = CACHE, headers: Optional[Dict[str, str]] = None,
                 collection_of: Optional[Dict[str, str]] = None, report=None):
        self.endpoint = token_endpoint(endpoint)
        self.hosts = list(hosts) if hosts is not None else sign_hosts()
        self.policy = policy or HttpPolicy(timeout=20.0, retries=3, deadline=60.0)
        self.margin = float(margin)
        self.cache = cache
        self.headers = dict(headers or {})
        key = os.environ.get("PC_SDK_SUBSCRIPTION_KEY")
        if key:
            self.headers.setdefault("Ocp-Apim-Subscription-Key", key)
        self.collection_of = collection_of or {}  # href -> collection id, for {collection} templates
        self.report = report or (lambda message: None)
        self._lock = threading.Lock()
        self._tokens: Dict[str, SasToken] = {}  # this load's tokens, by token URL
        self._session = None

    def needs(self, href: str) -> bool:
        return needs_signing(href, self.hosts)

    def token_url(self, href: str) -> str:
        account, container = account_container(href)
        if "{" in self.endpoint:
            return self.endpoint.format(account=account, container=container,
                                        collection=self.collection_of.get(href, container))
        return f"{self.endpoint.rstrip('/')}/{account}/{container}"

    def __call__(self, href: str) -> str:
        if not self.needs(href):
            return href
        return append_token(href, self.token_for(href).token)

    def token_for(self, href: str) -> SasToken:
        url = self.token_url(href)
        with self._lock:  # probe threads sign concurrently: one fetch per token URL
            token = self._tokens.get(url)
            if token is None:
                token = self.cache.get(url, self.margin)
                if token is None:
                    token = self._fetch(url, href)
                    self.cache.put(url, token)
                self._tokens[url] = token
            return token

    def _fetch(self, url: str, href: str) -> SasToken:
        import requests
        from requests.adapters import HTTPAdapter

        from .http_client import RequestLog, make_retry

        if self._session is None:
            session = requests.Session()
            adapter = HTTPAdapter(max_retries=make_retry(self.policy, RequestLog(report=self.report)))
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            self._session = session
        account, container = account_container(href)
        what = f"the assets in {account}/{container}"
        hint = "Check the token endpoint (setting sitscube/pc_token_endpoint or SITSCUBE_PC_TOKEN_ENDPOINT) and your network."
        try:
            adapter = self._session.get_adapter(url)
            adapter.max_retries.log.start(url)
            response = self._session.get(url, headers=self.headers, timeout=self.policy.timeout)
        except requests.exceptions.RequestException as err:
            raise UserError(
                f"Cannot get a SAS token for {what} from the token endpoint {url}: {type(err).__name__}: "
                f"{redact(str(err))[:300]}. {hint}"
            )
        if response.status_code != 200:
            raise UserError(
                f"The token endpoint {url} answered HTTP {response.status_code} for {what}: "
                f"{redact(response.text)[:200]}. {hint}"
            )
        try:
            answer = response.json()
        except ValueError:
            raise UserError(f"The token endpoint {url} did not answer JSON for {what}. {hint}")
        token = parse_token(answer, url)
        self.report(f"SAS token for {account}/{container} from {url}, valid until {token.expiry.isoformat(timespec='seconds')}.")
        return token
