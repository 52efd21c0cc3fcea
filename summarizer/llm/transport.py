"""The HTTP transport of a batch: every request takes a :class:`Throttle` slot, and the
status it got back (with the server's ``Retry-After``) goes back to the throttle."""

from __future__ import annotations

import functools
import ssl
from typing import TYPE_CHECKING

from summarizer.llm.translate import retry_after_seconds
from summarizer.throttle import Throttle

if TYPE_CHECKING:
    import httpx

__all__ = ["plain_transport", "throttled_transport"]


def throttled_transport(throttle: Throttle) -> httpx.AsyncHTTPTransport:
    """An httpx transport that takes a :class:`Throttle` slot around every request."""
    import httpx

    class ThrottledTransport(httpx.AsyncHTTPTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            await throttle.acquire()
            status: int | None = None
            retry_after = None
            try:
                response = await super().handle_async_request(request)
                status = response.status_code
                retry_after = retry_after_seconds(response.headers)
                return response
            finally:
                await throttle.release(status, retry_after)

    # openai's own defaults: many connections, so the throttle (not the pool) is the bound
    return ThrottledTransport(verify=_tls_context(), limits=_pool_limits())


def plain_transport() -> httpx.AsyncHTTPTransport:
    """The transport the openai client would make itself (its connection limits), for a
    client whose transport is wrapped."""
    import httpx

    return httpx.AsyncHTTPTransport(verify=_tls_context(), limits=_pool_limits())


def _pool_limits() -> httpx.Limits:
    import httpx

    return httpx.Limits(max_connections=1000, max_keepalive_connections=100)


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """httpx's default TLS context, made once per process: loading the CA bundle costs
    ~35 ms, which every batch (and every ``asummarize`` call) would otherwise pay again
    before its first request."""
    import httpx

    return httpx.create_ssl_context()
