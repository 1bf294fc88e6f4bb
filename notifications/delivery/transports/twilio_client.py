"""Twilio clients built from settings, and Twilio's errors mapped to TransportError.

The SDK has no base-URL option. Both HTTP clients here rewrite ``https://api.twilio.com`` to
``TWILIO_API_BASE_URL`` when that is not Twilio's own, so a Twilio-compatible gateway or the
test fake stands in for the synchronous and the asynchronous path alike. Edge and region are
never set: the SDK would rewrite the host by splitting it on dots.
"""

from __future__ import annotations

import asyncio
import base64
import logging
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urlencode

import requests
from aiohttp import ClientError, ClientSession, ClientTimeout, TCPConnector
from django.conf import settings
from twilio.base.exceptions import (
    TwilioException,
    TwilioRestException,
    TwilioServiceException,
)
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from notifications.delivery.transports.base import (
    OutgoingMessage,
    SendResult,
    Transport,
    TransportError,
)

logger = logging.getLogger(__name__)

TWILIO_API_URL = "https://api.twilio.com"
REQUEST_TIMEOUT_SECONDS = 15.0
# Upper bound on open connections per asynchronous client; the fan-out's semaphore is the
# real limit, this only stops a runaway caller from opening thousands of sockets.
ASYNC_CONNECTION_LIMIT = 256
# Seconds to wait before retrying when a sender's queue is full (21611 / 30001).
QUEUE_FULL_RETRY_AFTER = 60.0

# Permanent for that address: the contact point should be marked failed, not retried.
ADDRESS_ERRORS: dict[int, str] = {
    21211: "invalid phone number",
    21217: "invalid phone number",
    21408: "no permission to send to this country or region",
    21608: "unverified number (Twilio trial account)",
    21610: "recipient opted out (replied STOP)",
    21612: "number not reachable by SMS from our sender",
    21614: "not SMS-capable (landline or unreachable mobile number)",
}
# Transient: the sender's queue is full; the message was not queued and can be sent later.
QUEUE_FULL_ERRORS: dict[int, str] = {
    21611: "sender queue full",
    30001: "sender queue overflow",
}
AUTH_ERRORS = {20003: "Twilio rejected the account SID or auth token"}

# What a provider call can raise besides a bug: the SDK's errors and connection failures.
TWILIO_ERRORS: tuple[type[BaseException], ...] = (
    TwilioException,
    requests.RequestException,
    ClientError,
    OSError,  # includes TimeoutError
)


@dataclass(frozen=True)
class TwilioSettings:
    """The Twilio settings, read once from ``django.conf.settings``."""

    account_sid: str
    auth_token: str
    from_number: str
    messaging_service_sid: str
    api_base_url: str

    @classmethod
    def from_django(cls) -> TwilioSettings:
        """Read ``TWILIO_*`` now (not at import), so ``override_settings`` applies."""
        return cls(
            account_sid=getattr(settings, "TWILIO_ACCOUNT_SID", "") or "",
            auth_token=getattr(settings, "TWILIO_AUTH_TOKEN", "") or "",
            from_number=getattr(settings, "TWILIO_FROM_NUMBER", "") or "",
            messaging_service_sid=getattr(settings, "TWILIO_MESSAGING_SERVICE_SID", "") or "",
            api_base_url=(getattr(settings, "TWILIO_API_BASE_URL", "") or TWILIO_API_URL).rstrip(
                "/"
            ),
        )

    @property
    def configured(self) -> bool:
        """Credentials and a sender (a From number or a Messaging Service) are set."""
        return bool(
            self.account_sid
            and self.auth_token
            and (self.from_number or self.messaging_service_sid)
        )


def twilio_configured() -> bool:
    """Whether SMS and voice go through Twilio (else through the console transport)."""
    return TwilioSettings.from_django().configured


def _rewrite(url: str, base_url: str) -> str:
    if base_url != TWILIO_API_URL and url.startswith(TWILIO_API_URL):
        return base_url + url[len(TWILIO_API_URL) :]
    return url


class BaseUrlHttpClient(TwilioHttpClient):
    """The SDK's blocking HTTP client, sending ``api.twilio.com`` requests to ``base_url``."""

    def __init__(self, base_url: str, *, timeout: float = REQUEST_TIMEOUT_SECONDS) -> None:
        super().__init__(timeout=timeout)
        self.base_url = base_url.rstrip("/")

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Response:
        return super().request(method, _rewrite(url, self.base_url), *args, **kwargs)


class AsyncBaseUrlHttpClient(AsyncTwilioHttpClient):
    """The SDK's aiohttp client, sending to ``base_url``, with a timeout and a connection cap.

    Must be built inside a running event loop (aiohttp binds the session to it). The SDK's
    own class passes ``timeout=None`` to aiohttp, which means no timeout at all; this one
    always applies ``timeout`` seconds.
    """

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = REQUEST_TIMEOUT_SECONDS,
        max_connections: int = ASYNC_CONNECTION_LIMIT,
    ) -> None:
        super().__init__(pool_connections=False, timeout=timeout)
        self.base_url = base_url.rstrip("/")
        self.session = ClientSession(
            connector=TCPConnector(limit=max_connections),
            timeout=ClientTimeout(total=timeout),
        )

    async def request(
        self,
        method: str,
        url: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> Response:
        if auth is not None:
            # aiohttp deprecates its ``auth`` argument; send the same Basic header ourselves.
            token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode("ascii")
            headers = {**(headers or {}), "Authorization": f"Basic {token}"}
        body: str | dict[str, object] | None = data
        if isinstance(data, dict):
            # Encode the form ourselves: aiohttp would wrap a dict in a FormData (multipart
            # machinery and a random boundary included) on every request, a measurable cost
            # at hundreds of requests a second. Same bytes on the wire.
            body = urlencode(data, doseq=True)
            headers = {**(headers or {}), "Content-Type": "application/x-www-form-urlencoded"}
        return await super().request(
            method,
            _rewrite(url, self.base_url),
            params=params,
            data=body,  # type: ignore[arg-type]
            headers=headers,
            auth=None,
            timeout=timeout or self.timeout,
            allow_redirects=allow_redirects,
        )


def _client(
    config: TwilioSettings, http_client: TwilioHttpClient | AsyncTwilioHttpClient
) -> Client:
    # Explicit credentials and environment: an empty dict would make the SDK fall back to
    # os.environ (`environment or os.environ`) and pick up TWILIO_EDGE / TWILIO_REGION.
    environment = {"TWILIO_ACCOUNT_SID": config.account_sid}
    client = Client(
        config.account_sid,
        config.auth_token,
        http_client=http_client,
        environment=environment,
    )
    client.edge = None
    client.region = None
    return client


def build_client(config: TwilioSettings | None = None) -> Client:
    """A blocking ``twilio.rest.Client`` for ``TWILIO_API_BASE_URL``."""
    config = config or TwilioSettings.from_django()
    return _client(config, BaseUrlHttpClient(config.api_base_url))


def build_async_client(
    config: TwilioSettings | None = None, *, max_connections: int = ASYNC_CONNECTION_LIMIT
) -> Client:
    """A ``twilio.rest.Client`` whose ``*_async`` methods use aiohttp; call inside a loop.

    Close it with ``await client.http_client.close()`` on the same loop.
    """
    config = config or TwilioSettings.from_django()
    http_client = AsyncBaseUrlHttpClient(config.api_base_url, max_connections=max_connections)
    return _client(config, http_client)


def transport_error(exc: BaseException) -> TransportError:
    """Map one of TWILIO_ERRORS to a TransportError (transient unless retrying cannot help)."""
    if isinstance(exc, TwilioRestException | TwilioServiceException):
        code = exc.code if isinstance(exc.code, int) else None
        if isinstance(exc, TwilioRestException):
            detail = (exc.msg or "").removeprefix("Unable to create record: ")
        else:
            detail = exc.detail or exc.title
        return _rest_error(int(exc.status), code, detail)
    if isinstance(exc, TwilioException):
        return TransportError(f"Twilio client error: {exc}", permanent=True)
    return TransportError(f"could not reach Twilio: {type(exc).__name__}: {exc}", permanent=False)


def _rest_error(status: int, code: int | None, detail: str) -> TransportError:
    if code in ADDRESS_ERRORS:
        return TransportError(
            f"{ADDRESS_ERRORS[code]} (Twilio {code})", permanent=True, code=code, bad_address=True
        )
    if code in QUEUE_FULL_ERRORS:
        return TransportError(
            f"{QUEUE_FULL_ERRORS[code]} (Twilio {code})",
            permanent=False,
            code=code,
            retry_after=QUEUE_FULL_RETRY_AFTER,
        )
    if status == 429 or code == 20429:
        return TransportError(
            f"Twilio is rate limiting us (HTTP {status}, code {code})", permanent=False, code=code
        )
    if status >= 500:
        return TransportError(
            f"Twilio server error (HTTP {status}, code {code})", permanent=False, code=code
        )
    if status in (401, 403) or code in AUTH_ERRORS:
        # Retrying with the same credentials cannot succeed; it would only add load on an
        # account that is already refusing us. The address is not at fault.
        reason = AUTH_ERRORS.get(code or 0, "Twilio refused our credentials")
        return TransportError(
            f"{reason} (HTTP {status}, code {code}): check TWILIO_ACCOUNT_SID and "
            "TWILIO_AUTH_TOKEN",
            permanent=True,
            code=code,
        )
    return TransportError(
        f"Twilio refused the request (HTTP {status}, code {code}): {detail}",
        permanent=True,
        code=code,
    )


class TwilioTransport(Transport):
    """Shared plumbing for the SMS and voice transports: settings, clients, error mapping.

    Holds one blocking client (lazily) and one asynchronous client per event loop; close
    them with ``close`` / ``aclose``. Raises TransportError("Twilio is not configured",
    permanent=True) when used without credentials and a sender.
    """

    sent_by: ClassVar[str]

    def __init__(
        self,
        config: TwilioSettings | None = None,
        *,
        max_connections: int = ASYNC_CONNECTION_LIMIT,
    ) -> None:
        self.config = config or TwilioSettings.from_django()
        self.max_connections = max_connections
        self._client: Client | None = None
        self._async_client: Client | None = None
        self._async_loop: asyncio.AbstractEventLoop | None = None

    def _check_configured(self) -> None:
        if not self.config.configured:
            raise TransportError("Twilio is not configured", permanent=True)

    @property
    def client(self) -> Client:
        """The blocking client, built on first use."""
        self._check_configured()
        if self._client is None:
            self._client = build_client(self.config)
        return self._client

    def async_client(self) -> Client:
        """The asynchronous client for the running loop, built on first use in that loop."""
        self._check_configured()
        loop = asyncio.get_running_loop()
        if self._async_client is None or self._async_loop is not loop:
            # A session belongs to the loop it was made in; a new loop needs a new one.
            self._async_client = build_async_client(
                self.config, max_connections=self.max_connections
            )
            self._async_loop = loop
        return self._async_client

    def close(self) -> None:
        if self._client is not None:
            session = getattr(self._client.http_client, "session", None)
            if session is not None:
                session.close()
            self._client = None

    async def aclose(self) -> None:
        client, self._async_client = self._async_client, None
        if client is not None and self._async_loop is asyncio.get_running_loop():
            await client.http_client.close()
        self._async_loop = None

    def create_kwargs(self, message: OutgoingMessage) -> dict[str, Any]:
        """The SDK ``create`` arguments for ``message``; raises TransportError if unusable."""
        raise NotImplementedError

    def resources(self, client: Client) -> Any:
        """The SDK list resource to create on (``client.messages`` or ``client.calls``)."""
        raise NotImplementedError

    def send(self, message: OutgoingMessage) -> SendResult:
        client = self.client
        kwargs = self.create_kwargs(message)
        try:
            resource = self.resources(client).create(**kwargs)
        except TWILIO_ERRORS as exc:
            raise self._failed(message, exc) from exc
        return SendResult(provider_id=resource.sid, status=resource.status, sent_by=self.sent_by)

    async def asend(self, message: OutgoingMessage) -> SendResult:
        client = self.async_client()
        kwargs = self.create_kwargs(message)
        try:
            resource = await self.resources(client).create_async(**kwargs)
        except TWILIO_ERRORS as exc:
            raise self._failed(message, exc) from exc
        return SendResult(provider_id=resource.sid, status=resource.status, sent_by=self.sent_by)

    def _failed(self, message: OutgoingMessage, exc: BaseException) -> TransportError:
        error = transport_error(exc)
        logger.info(
            "%s to %s (key %s) not accepted: %s",
            self.kind,
            message.to,
            message.key or "-",
            error.message,
        )
        return error
