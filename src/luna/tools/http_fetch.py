"""The ``http_fetch`` tool: read a web page or an API response, within the network policy.

Each hop (the first request and up to three redirects) must be http or https, to a host
on the workspace's allow-list, resolving only to addresses the policy allows
(:mod:`luna.tools.network`). Bodies are read up to 256 KiB and the whole fetch takes at
most 10 seconds. Refusals by policy reach the model as a failed tool call it cannot
retry (``ToolFailed``); a URL it can correct, or a network failure, as ``ModelRetry``.
"""

from __future__ import annotations

import asyncio
import codecs
import zlib
from collections.abc import Sequence
from typing import Final, Literal

import httpx2
from pydantic import BaseModel, Field
from pydantic_ai import ModelRetry, ToolFailed

from luna.tools.errors import DestinationRefused
from luna.tools.network import DEFAULT_PORTS, PinnedTransport, host_allowed, normalise_host

MAX_RESPONSE_BYTES: Final = 256 * 1024
TIMEOUT_SECONDS: Final = 10.0
MAX_REDIRECTS: Final = 3
MAX_URL_LENGTH: Final = 4096
HttpMethod = Literal["GET", "HEAD"]
_TEXT_TYPES: Final = ("application/json", "application/xml", "application/javascript")
_REQUEST_HEADERS: Final = {
    "Accept": "text/html, text/plain, application/json;q=0.9, */*;q=0.5",
    # Compressed bodies could expand past the cap before it is checked.
    "Accept-Encoding": "identity",
    "User-Agent": "Luna-http_fetch/1",
}


class FetchResult(BaseModel):
    """What a fetch returned: the final URL after redirects, the status, the content
    type and the body as text, cut at 256 KiB (``truncated`` then says so)."""

    url: str
    status: int
    content_type: str | None
    text: str
    truncated: bool = Field(description="Whether the body was longer than the part shown.")


async def fetch(
    url: str,
    method: HttpMethod,
    *,
    allowed_hosts: Sequence[str],
    allow_private_networks: bool,
) -> FetchResult:
    """Fetch ``url`` under the network policy; see the module documentation."""
    try:
        async with asyncio.timeout(TIMEOUT_SECONDS):
            return await _fetch(url, method, allowed_hosts, allow_private_networks)
    except TimeoutError:
        raise ModelRetry(f"{url} did not answer within {TIMEOUT_SECONDS:.0f} seconds.") from None
    except DestinationRefused as exc:
        raise ToolFailed(exc.detail) from None
    except httpx2.HTTPError as exc:
        raise ModelRetry(f"Fetching {url} failed: {exc}.") from None


async def _fetch(
    url: str, method: HttpMethod, allowed_hosts: Sequence[str], allow_private_networks: bool
) -> FetchResult:
    target = parse_url(url)
    transport = PinnedTransport(allow_private_networks=allow_private_networks)
    timeout = httpx2.Timeout(TIMEOUT_SECONDS)
    async with httpx2.AsyncClient(transport=transport, timeout=timeout, trust_env=False) as client:
        for _ in range(MAX_REDIRECTS + 1):
            _check_allowed(target, allowed_hosts)
            request = client.build_request(method, target, headers=_REQUEST_HEADERS)
            response = await client.send(request, stream=True)
            try:
                if not response.has_redirect_location:
                    return await _read(response, target, method)
                # GET and HEAD stay what they are after every kind of redirect.
                target = _redirect_target(target, response)
            finally:
                await response.aclose()
    raise ToolFailed(f"{url} redirected more than {MAX_REDIRECTS} times; not followed further.")


def parse_url(url: str) -> httpx2.URL:
    """An absolute http or https URL with a host; ModelRetry otherwise."""
    if len(url) > MAX_URL_LENGTH:
        raise ModelRetry(f"The URL is longer than {MAX_URL_LENGTH} characters.")
    try:
        parsed = httpx2.URL(url.strip())
    except httpx2.InvalidURL as exc:
        raise ModelRetry(f"{url!r} is not a valid URL ({exc}).") from None
    if parsed.scheme not in DEFAULT_PORTS or not parsed.host:
        raise ModelRetry(f"{url!r} is not an http:// or https:// URL with a host.")
    if parsed.userinfo:
        raise ModelRetry("URLs with a user name or password are not fetched.")
    return parsed


def _check_allowed(target: httpx2.URL, allowed_hosts: Sequence[str]) -> None:
    host = target.raw_host.decode("ascii")
    try:
        host = normalise_host(host)
    except ValueError:
        allowed = False  # no entry can match what is not a host name
    else:
        allowed = host_allowed(host, allowed_hosts)
    if not allowed:
        listed = ", ".join(allowed_hosts) if allowed_hosts else "no hosts"
        raise ToolFailed(
            f"{host} is not on this workspace's list of hosts agents may fetch from "
            f"({listed}). A workspace admin can add it in the tool settings."
        )


def _redirect_target(current: httpx2.URL, response: httpx2.Response) -> httpx2.URL:
    location = response.headers["location"]
    try:
        return parse_url(str(current.join(location)))
    except ModelRetry as exc:
        raise ToolFailed(f"{current} redirected to an address that is not fetched: {exc}") from None


async def _read(response: httpx2.Response, url: httpx2.URL, method: HttpMethod) -> FetchResult:
    content_type = response.headers.get("content-type")
    body, truncated = b"", False
    if method == "GET":
        body, truncated = await _read_capped(response)
    text = body.decode(_charset(response), errors="replace")
    if body and not _is_text(content_type):
        text = f"[{len(body)} bytes of {content_type} content, not shown as text]"
    elif truncated:
        text += f"\n[truncated: the body is longer than {MAX_RESPONSE_BYTES} bytes]"
    return FetchResult(
        url=str(url),
        status=response.status_code,
        content_type=content_type,
        text=text,
        truncated=truncated,
    )


async def _read_capped(response: httpx2.Response) -> tuple[bytes, bool]:
    """Up to MAX_RESPONSE_BYTES of the decoded body, and whether there was more."""
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("identity", "gzip", "x-gzip"):
        raise ToolFailed(f"The server answered with {encoding} content, which is not read.")
    gunzip = zlib.decompressobj(zlib.MAX_WBITS | 16) if encoding != "identity" else None
    body = bytearray()
    async for chunk in response.aiter_raw():
        if gunzip is not None:
            # Never decompress more than the cap needs: a small body can expand hugely.
            try:
                chunk = gunzip.decompress(chunk, MAX_RESPONSE_BYTES + 1 - len(body))
            except zlib.error:
                raise ToolFailed("The server sent a damaged gzip body.") from None
        body.extend(chunk)
        if len(body) > MAX_RESPONSE_BYTES:
            return bytes(body[:MAX_RESPONSE_BYTES]), True
    return bytes(body), False


def _charset(response: httpx2.Response) -> str:
    """The body's declared character set if Python knows it, else UTF-8."""
    declared = response.charset_encoding
    try:
        return codecs.lookup(declared).name if declared else "utf-8"
    except LookupError:
        return "utf-8"


def _is_text(content_type: str | None) -> bool:
    if content_type is None:
        return True
    media_type = content_type.split(";")[0].strip().lower()
    return (
        media_type.startswith("text/")
        or media_type in _TEXT_TYPES
        or media_type.endswith(("+json", "+xml"))
    )
