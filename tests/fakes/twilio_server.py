"""A fake Twilio REST API on 127.0.0.1 that speaks the real wire protocol.

It serves ``POST /2010-04-01/Accounts/{AccountSid}/Messages.json`` and ``…/Calls.json``
(form-encoded, HTTP Basic auth ``AccountSid:AuthToken``) with Twilio-shaped 201 bodies and
Twilio's error bodies, so the real ``twilio`` SDK, sync or async, can be pointed at it.

What it can do, from a test or a benchmark:

- latency: every API request waits ``latency_ms`` before answering (errors too, as Twilio's do);
- scripted outcomes per ``To`` number, consumed one per request::

      server.script("+15005550101", [429, 429, 201])          # two 429s, then success
      server.fail_always("+15005550102", 21614)                # never SMS-capable
      server.script("+15005550103", [Outcome(final_status="undelivered", final_error_code=30003)])

  An outcome is an HTTP status (201, 429, 500, 503), a Twilio error code (21211, 20429, …),
  ``"disconnect"`` (the connection is dropped without an answer) or an :class:`Outcome`.
  Twilio's magic test numbers behave as documented: +15005550001 → 21211,
  +15005550004 → 21610, +15005550009 → 21614;
- random failures with a seeded generator: ``failure_rates={429: 0.05, 503: 0.01}``;
- it records every request (path, form, whether auth was right, status, times, concurrency)
  in a thread-safe list and keeps the highest number of requests in flight at once;
- status callbacks with a real ``X-Twilio-Signature``: :meth:`send_status_callback`, or
  automatically ``auto_status_ms`` after each accepted send;
- inbound SMS and voice ``<Gather>`` results POSTed to any URL with a real signature, and
  :meth:`replay` of any of them (identical request and signature, several at once if asked).

Run it from pytest (``with FakeTwilioServer() as server: …``) or standalone for benchmarks::

    python -m tests.fakes.twilio_server --port 8765 --latency-ms 50

which prints one JSON line (``url``, ``account_sid``, ``auth_token``) and serves until
SIGINT/SIGTERM. ``GET /_fake/stats``, ``GET /_fake/requests`` and ``POST /_fake/reset`` let a
benchmark in another process read and reset the counters.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import random
import secrets
import signal
import threading
import time
from collections import Counter, deque
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any, Literal

from aiohttp import ClientError, ClientSession, ClientTimeout, web
from twilio.request_validator import RequestValidator

API_VERSION = "2010-04-01"
DEFAULT_ACCOUNT_SID = "AC" + "f" * 32
DEFAULT_AUTH_TOKEN = "fake-twilio-auth-token-0123456789"
SIGNATURE_HEADER = "X-Twilio-Signature"
TWIML_MAX_CHARS = 4000
BODY_MAX_CHARS = 1600
VALIDITY_PERIOD_RANGE = (1, 36_000)

# Twilio's magic test numbers (https://www.twilio.com/docs/iam/test-credentials).
MAGIC_NUMBERS: dict[str, int] = {
    "+15005550001": 21211,  # invalid number
    "+15005550004": 21610,  # recipient has opted out (STOP)
    "+15005550009": 21614,  # not SMS-capable
}

# Code → (HTTP status, message). The messages follow Twilio's wording closely enough that a
# person reading a log line recognises them.
ERRORS: dict[int, tuple[int, str]] = {
    20003: (401, "Authenticate"),
    20404: (404, "The requested resource was not found"),
    20429: (429, "Too Many Requests"),
    20500: (500, "Internal Server Error"),
    20503: (503, "Service Unavailable"),
    21205: (400, "Url parameter is required."),
    21211: (400, "The 'To' number {to} is not a valid phone number."),
    21217: (400, "Phone number does not appear to be valid"),
    21408: (
        400,
        "Permission to send an SMS has not been enabled for the region indicated by "
        "the 'To' number: {to}.",
    ),
    21602: (400, "Message body is required."),
    21603: (400, "A 'From' or 'MessagingServiceSid' parameter is required to send a message."),
    21604: (400, "A 'To' phone number is required."),
    21608: (
        400,
        "The number {to} is unverified. Trial accounts cannot send messages to unverified numbers.",
    ),
    21610: (400, "Attempt to send to unsubscribed recipient"),
    21611: (400, "This 'From' number has exceeded the maximum number of queued messages"),
    21612: (
        400,
        "The 'To' phone number: {to}, is not currently reachable using the 'From' "
        "phone number via SMS.",
    ),
    21614: (400, "'To' number {to} is not a valid mobile number"),
    21617: (400, "The concatenated message body exceeds the 1600 character limit."),
    21624: (400, "Validity period can only be set to integers between 1 and 36,000 seconds."),
    30001: (400, "Queue overflow"),
    32018: (400, "Twiml size exceeded maximum allowed value of 4000 characters"),
}
STATUS_TO_CODE = {401: 20003, 404: 20404, 429: 20429, 500: 20500, 503: 20503}

# GSM 03.38 characters: a body made only of these goes in 160-character segments. (The
# extension characters such as € really cost two; close enough for a fake.)
_GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà^{}\\[~]|€"
)

Resource = Literal["Messages", "Calls"]


@dataclass(frozen=True)
class Outcome:
    """What the fake answers to one request.

    ``status`` 201 accepts the message or call; anything else answers with Twilio's error body
    for ``code`` (derived from the status when not given). ``final_status`` /
    ``final_error_code`` are what the automatic status callback reports for an accepted send.
    ``disconnect`` drops the connection without answering (a connection error for the client).
    """

    status: int = 201
    code: int | None = None
    final_status: str | None = None
    final_error_code: int | None = None
    disconnect: bool = False

    @classmethod
    def of(cls, value: int | str | Outcome) -> Outcome:
        """Normalise a script entry: 201, 429, 503, 21211, "disconnect" or an Outcome."""
        if isinstance(value, Outcome):
            return value
        if value == "disconnect":
            return cls(status=0, disconnect=True)
        if isinstance(value, int) and value in (200, 201):
            return cls()
        if isinstance(value, int) and 400 <= value < 600:
            return cls(status=value, code=STATUS_TO_CODE.get(value, value))
        if isinstance(value, int) and value >= 10_000:
            status = ERRORS.get(value, (400, ""))[0]
            return cls(status=status, code=value)
        raise ValueError(f"unknown outcome {value!r}: use 201, an HTTP error, a code or Outcome")


@dataclass
class RecordedRequest:
    """One request the fake received, as the SDK sent it."""

    method: str
    path: str
    resource: str  # "Messages", "Calls" or "" for anything else
    form: dict[str, str]
    auth_ok: bool
    status: int = 0
    error_code: int | None = None
    sid: str | None = None
    received_at: float = 0.0
    answered_at: float = 0.0
    in_flight: int = 0  # requests in flight when this one arrived, itself included


@dataclass
class SentCallback:
    """A signed webhook the fake POSTed (status callback, inbound SMS or gather result)."""

    url: str
    params: dict[str, str]
    signature: str
    status: int  # the webhook's HTTP answer; 0 if it could not be reached
    body: str = ""


@dataclass
class _Resource:
    sid: str
    kind: Resource
    to: str
    from_: str
    status: str
    status_callback: str
    messaging_service_sid: str | None
    final_status: str | None = None
    final_error_code: int | None = None
    data: dict[str, Any] = field(default_factory=dict)


def sign(url: str, params: Mapping[str, str], auth_token: str) -> str:
    """Return the ``X-Twilio-Signature`` Twilio would send for a POST of ``params`` to ``url``."""
    return RequestValidator(auth_token).compute_signature(url, dict(params))


def num_segments(body: str) -> int:
    """How many SMS segments Twilio bills for ``body`` (GSM-7: 160/153, else UCS-2: 70/67)."""
    single, multi = (160, 153) if set(body) <= _GSM7 else (70, 67)
    if len(body) <= single:
        return 1
    return -(-len(body) // multi)


def _now_rfc2822() -> str:
    return format_datetime(datetime.now(UTC).replace(microsecond=0))


def _is_e164(number: str) -> bool:
    return (
        number.startswith("+")
        and number[1:].isdigit()
        and 2 <= len(number) - 1 <= 15
        and number[1] != "0"
    )


class FakeTwilioServer:
    """The fake Twilio REST API. Start it with :meth:`start` or as a context manager.

    Runs an aiohttp server on its own event loop in a background thread, so tests can use the
    synchronous SDK from the main thread and the asynchronous SDK from any other loop. Every
    public method is thread-safe.
    """

    def __init__(
        self,
        *,
        account_sid: str = DEFAULT_ACCOUNT_SID,
        auth_token: str = DEFAULT_AUTH_TOKEN,
        host: str = "127.0.0.1",
        port: int = 0,
        latency_ms: float = 0,
        failure_rates: Mapping[int | str, float] | None = None,
        seed: int = 0,
        auto_status_ms: float | None = None,
        max_recorded: int | None = None,
    ) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.host = host
        self.port = port
        self.latency_ms = latency_ms
        self.failure_rates: dict[int | str, float] = dict(failure_rates or {})
        self.auto_status_ms = auto_status_ms
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self._requests: deque[RecordedRequest] = deque(maxlen=max_recorded)
        self._callbacks: list[SentCallback] = []
        self._scripts: dict[str, deque[Outcome]] = {}
        self._always: dict[str, Outcome] = {}
        self._resources: dict[str, _Resource] = {}
        self._in_flight = 0
        self._max_in_flight = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._session: ClientSession | None = None
        self._background: set[asyncio.Task[Any]] = set()

    # --- lifecycle ---------------------------------------------------------------------------
    @property
    def url(self) -> str:
        """The base URL to give the SDK (``TWILIO_API_BASE_URL``), e.g. http://127.0.0.1:41234."""
        return f"http://{self.host}:{self.port}"

    def start(self) -> FakeTwilioServer:
        """Start serving in a background thread; returns once the port is bound."""
        if self._thread is not None:
            raise RuntimeError("the fake Twilio server is already running")
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = _new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self._start_serving())
            except BaseException as exc:  # report bind errors to the starting thread
                failure.append(exc)
                ready.set()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self._stop_serving())
            loop.close()

        self._thread = threading.Thread(target=run, name="fake-twilio", daemon=True)
        self._thread.start()
        ready.wait(timeout=10)
        if failure:
            self._thread = None
            raise failure[0]
        return self

    def stop(self) -> None:
        """Stop serving and join the background thread."""
        if self._thread is None or self._loop is None:
            return
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._thread = None
        self._loop = None

    def __enter__(self) -> FakeTwilioServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    async def _start_serving(self) -> None:
        app = web.Application()
        base = f"/{API_VERSION}/Accounts/{{account}}"
        app.router.add_post(base + "/Messages.json", self._create_message)
        app.router.add_post(base + "/Calls.json", self._create_call)
        app.router.add_get(base + "/Messages/{sid}.json", self._fetch)
        app.router.add_get(base + "/Calls/{sid}.json", self._fetch)
        app.router.add_get("/_fake/stats", self._stats_view)
        app.router.add_get("/_fake/requests", self._requests_view)
        app.router.add_post("/_fake/reset", self._reset_view)
        # No access log: at benchmark rates it would cost more than the requests themselves.
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port, backlog=1024)
        await site.start()
        self.port = self._runner.addresses[0][1]
        self._session = ClientSession(timeout=ClientTimeout(total=30))

    async def _stop_serving(self) -> None:
        for task in list(self._background):
            task.cancel()
        if self._background:
            await asyncio.gather(*self._background, return_exceptions=True)
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()

    # --- configuration -----------------------------------------------------------------------
    def script(self, number: str, outcomes: Iterable[int | str | Outcome]) -> None:
        """Answer the next requests to ``number`` with ``outcomes`` in order, then normally."""
        with self._lock:
            self._scripts.setdefault(number, deque()).extend(Outcome.of(o) for o in outcomes)

    def fail_always(self, number: str, outcome: int | str | Outcome) -> None:
        """Answer every request to ``number`` with ``outcome`` (e.g. 21211: always invalid)."""
        with self._lock:
            self._always[number] = Outcome.of(outcome)

    def reset(self) -> None:
        """Forget recorded requests, callbacks, scripts, resources and the concurrency peak."""
        with self._lock:
            self._requests.clear()
            self._callbacks.clear()
            self._scripts.clear()
            self._always.clear()
            self._resources.clear()
            self._max_in_flight = self._in_flight

    # --- what was received -------------------------------------------------------------------
    @property
    def requests(self) -> list[RecordedRequest]:
        """A copy of every request received so far, in arrival order."""
        with self._lock:
            return list(self._requests)

    @property
    def callbacks(self) -> list[SentCallback]:
        """A copy of every signed webhook the fake has POSTed."""
        with self._lock:
            return list(self._callbacks)

    @property
    def max_concurrency(self) -> int:
        """The highest number of API requests that were in flight at the same time."""
        with self._lock:
            return self._max_in_flight

    def sent(self, resource: Resource = "Messages") -> list[RecordedRequest]:
        """The requests for ``resource`` that were accepted (201)."""
        return [r for r in self.requests if r.resource == resource and r.status == 201]

    def stats(self) -> dict[str, Any]:
        """Counts by status, the concurrency peak and the first/last request times."""
        with self._lock:
            requests = list(self._requests)
            peak = self._max_in_flight
        by_status = Counter(str(r.status) for r in requests)
        return {
            "requests": len(requests),
            "by_status": dict(by_status),
            "accepted": by_status.get("201", 0),
            "max_concurrency": peak,
            "first_received_at": min((r.received_at for r in requests), default=None),
            "last_answered_at": max((r.answered_at for r in requests), default=None),
        }

    # --- webhooks the fake sends -------------------------------------------------------------
    def send_status_callback(
        self,
        sid: str,
        status: str,
        error_code: int | None = None,
        *,
        extra: Mapping[str, str] | None = None,
    ) -> SentCallback:
        """POST a signed status callback for ``sid`` to the ``StatusCallback`` it was sent with.

        Message SIDs get ``MessageSid``/``MessageStatus`` (and the legacy ``SmsSid``/
        ``SmsStatus``), call SIDs ``CallSid``/``CallStatus``. Raises KeyError for an unknown SID
        and ValueError when the send had no ``StatusCallback``.
        """
        with self._lock:
            resource = self._resources[sid]
        if not resource.status_callback:
            raise ValueError(f"{sid} was created without a StatusCallback")
        params = self._status_params(resource, status, error_code, extra)
        return self._post_from_thread(resource.status_callback, params)

    def send_inbound_sms(
        self,
        url: str,
        *,
        from_: str,
        to: str,
        body: str,
        message_sid: str | None = None,
        extra: Mapping[str, str] | None = None,
    ) -> SentCallback:
        """POST a signed inbound SMS (as Twilio does for a reply) to ``url``."""
        params = {
            "ToCountry": "US",
            "SmsMessageSid": "",
            "NumMedia": "0",
            "SmsSid": "",
            "SmsStatus": "received",
            "Body": body,
            "To": to,
            "NumSegments": str(num_segments(body)),
            "MessageSid": "",
            "AccountSid": self.account_sid,
            "From": from_,
            "ApiVersion": API_VERSION,
        }
        sid = message_sid or "SM" + secrets.token_hex(16)
        params.update(SmsMessageSid=sid, SmsSid=sid, MessageSid=sid)
        params.update(extra or {})
        return self._post_from_thread(url, params)

    def send_gather(
        self,
        url: str,
        *,
        call_sid: str,
        digits: str,
        from_: str = "",
        to: str = "",
        extra: Mapping[str, str] | None = None,
    ) -> SentCallback:
        """POST a signed voice ``<Gather>`` result (the keys pressed) to ``url``.

        ``from_``/``to`` default to the call's numbers when ``call_sid`` was created here.
        Twilio's ``From`` is our number and ``To`` the person called, as in the API request.
        """
        with self._lock:
            call = self._resources.get(call_sid)
        params = {
            "AccountSid": self.account_sid,
            "ApiVersion": API_VERSION,
            "CallSid": call_sid,
            "CallStatus": "in-progress",
            "Digits": digits,
            "Direction": "outbound-api",
            "FinishedOnKey": "",
            "From": from_ or (call.from_ if call else ""),
            "To": to or (call.to if call else ""),
            "msg": "Gather End",
        }
        params.update(extra or {})
        return self._post_from_thread(url, params)

    def replay(self, sent: SentCallback, *, times: int = 1) -> list[SentCallback]:
        """POST a webhook sent before again, byte for byte with the same signature — what an
        attacker who captured it could do. ``times`` copies go out at once (concurrently)."""

        async def all_at_once() -> list[SentCallback]:
            posts = [self._post_signed(sent.url, dict(sent.params)) for _ in range(times)]
            return list(await asyncio.gather(*posts))

        loop = self._loop
        if loop is None:
            raise RuntimeError("start the fake Twilio server first")
        return asyncio.run_coroutine_threadsafe(all_at_once(), loop).result(60)

    def signed_headers(self, url: str, params: Mapping[str, str]) -> dict[str, str]:
        """The headers Twilio would send with a POST of ``params`` to ``url``."""
        return {
            SIGNATURE_HEADER: sign(url, params, self.auth_token),
            "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
            "User-Agent": "TwilioProxy/1.1",
            "I-Twilio-Idempotency-Token": secrets.token_hex(16),
        }

    def _status_params(
        self,
        resource: _Resource,
        status: str,
        error_code: int | None,
        extra: Mapping[str, str] | None,
    ) -> dict[str, str]:
        params = {
            "AccountSid": self.account_sid,
            "ApiVersion": API_VERSION,
            "From": resource.from_,
            "To": resource.to,
        }
        if resource.kind == "Messages":
            params.update(
                MessageSid=resource.sid,
                SmsSid=resource.sid,
                MessageStatus=status,
                SmsStatus=status,
            )
            if resource.messaging_service_sid:
                params["MessagingServiceSid"] = resource.messaging_service_sid
        else:
            params.update(CallSid=resource.sid, CallStatus=status, Direction="outbound-api")
            if status == "completed":
                params["CallDuration"] = "12"
        if error_code is not None:
            params["ErrorCode"] = str(error_code)
        params.update(extra or {})
        with self._lock:
            resource.status = status
            resource.data["status"] = status
            if error_code is not None:
                resource.data["error_code"] = error_code
        return params

    def _post_from_thread(self, url: str, params: dict[str, str]) -> SentCallback:
        loop = self._loop
        if loop is None:
            raise RuntimeError("start the fake Twilio server first")
        if threading.current_thread() is self._thread:
            raise RuntimeError("call this from another thread than the fake server's own")
        return asyncio.run_coroutine_threadsafe(self._post_signed(url, params), loop).result(60)

    async def _post_signed(self, url: str, params: dict[str, str]) -> SentCallback:
        assert self._session is not None
        signature = sign(url, params, self.auth_token)
        headers = self.signed_headers(url, params)
        headers[SIGNATURE_HEADER] = signature
        try:
            async with self._session.post(url, data=params, headers=headers) as response:
                sent = SentCallback(url, params, signature, response.status, await response.text())
        except (ClientError, OSError) as exc:
            sent = SentCallback(url, params, signature, 0, repr(exc))
        with self._lock:
            self._callbacks.append(sent)
        return sent

    def _schedule_auto_status(self, resource: _Resource) -> None:
        if self.auto_status_ms is None or not resource.status_callback:
            return
        default = "delivered" if resource.kind == "Messages" else "completed"

        async def later() -> None:
            await asyncio.sleep(self.auto_status_ms / 1000)  # type: ignore[operator]
            params = self._status_params(
                resource, resource.final_status or default, resource.final_error_code, None
            )
            await self._post_signed(resource.status_callback, params)

        task = asyncio.get_running_loop().create_task(later())
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    # --- the API -----------------------------------------------------------------------------
    async def _create_message(self, request: web.Request) -> web.StreamResponse:
        return await self._handle_create(request, "Messages")

    async def _create_call(self, request: web.Request) -> web.StreamResponse:
        return await self._handle_create(request, "Calls")

    async def _handle_create(self, request: web.Request, kind: Resource) -> web.StreamResponse:
        received_at = time.time()
        with self._lock:
            self._in_flight += 1
            self._max_in_flight = max(self._max_in_flight, self._in_flight)
            in_flight = self._in_flight
        posted = await request.post()
        form = {key: str(value) for key, value in posted.items()}
        record = RecordedRequest(
            method=request.method,
            path=request.path,
            resource=kind,
            form=form,
            auth_ok=self._auth_ok(request),
            received_at=received_at,
            in_flight=in_flight,
        )
        try:
            if self.latency_ms:
                await asyncio.sleep(self.latency_ms / 1000)
            outcome = self._decide(request, kind, record)
            if outcome.disconnect:
                record.status = 0
                # Closing the transport without an answer is what a client sees as a reset.
                if request.transport is not None:
                    request.transport.close()
                raise asyncio.CancelledError
            if outcome.status != 201:
                record.status = outcome.status
                record.error_code = outcome.code
                return self._error(outcome.code or outcome.status, outcome.status, form)
            resource = self._accept(kind, form, outcome)
            record.status = 201
            record.sid = resource.sid
            self._schedule_auto_status(resource)
            return web.json_response(resource.data, status=201)
        finally:
            record.answered_at = time.time()
            with self._lock:
                self._in_flight -= 1
                self._requests.append(record)

    def _auth_ok(self, request: web.Request) -> bool:
        header = request.headers.get("Authorization", "")
        scheme, _, encoded = header.partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            user, _, password = base64.b64decode(encoded).decode().partition(":")
        except ValueError:
            return False
        return secrets.compare_digest(
            f"{user}:{password}".encode(), f"{self.account_sid}:{self.auth_token}".encode()
        )

    def _decide(self, request: web.Request, kind: Resource, record: RecordedRequest) -> Outcome:
        """Auth, then validation, then scripts, magic numbers and random failures, in that order."""
        form = record.form
        if not record.auth_ok:
            return Outcome(401, 20003)
        if request.match_info["account"] != self.account_sid:
            return Outcome(404, 20404)
        to = form.get("To", "")
        if not to:
            return Outcome(400, 21604)
        if kind == "Messages":
            if not (form.get("From") or form.get("MessagingServiceSid")):
                return Outcome(400, 21603)
            if not form.get("Body") and not form.get("MediaUrl"):
                return Outcome(400, 21602)
            if len(form.get("Body", "")) > BODY_MAX_CHARS:
                return Outcome(400, 21617)
            if "ValidityPeriod" in form:
                low, high = VALIDITY_PERIOD_RANGE
                value = form["ValidityPeriod"]
                if not value.isdigit() or not low <= int(value) <= high:
                    return Outcome(400, 21624)
        else:
            if not form.get("From"):
                return Outcome(400, 21603)
            if not (form.get("Twiml") or form.get("Url") or form.get("ApplicationSid")):
                return Outcome(400, 21205)
            if len(form.get("Twiml", "")) > TWIML_MAX_CHARS:
                return Outcome(400, 32018)
        with self._lock:
            queue = self._scripts.get(to)
            if queue:
                return queue.popleft()
            if to in self._always:
                return self._always[to]
        if to in MAGIC_NUMBERS:
            return Outcome.of(MAGIC_NUMBERS[to])
        if not _is_e164(to):
            return Outcome(400, 21211 if kind == "Messages" else 21217)
        if self.failure_rates:
            with self._lock:
                draw = self._random.random()
            cumulative = 0.0
            for value, rate in self.failure_rates.items():
                cumulative += rate
                if draw < cumulative:
                    return Outcome.of(value)
        return Outcome()

    def _error(self, code: int, status: int, form: Mapping[str, str]) -> web.Response:
        template = ERRORS.get(code, (status, "Error"))[1]
        payload: dict[str, Any] = {
            "code": code,
            "message": template.format(to=form.get("To", "")),
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        }
        headers = {}
        if status == 401:
            payload["detail"] = "Your AccountSid or AuthToken was incorrect."
            headers["WWW-Authenticate"] = 'Basic realm="Twilio API"'
        if status == 429:
            headers["Retry-After"] = "1"
        return web.json_response(payload, status=status, headers=headers)

    def _accept(self, kind: Resource, form: Mapping[str, str], outcome: Outcome) -> _Resource:
        now = _now_rfc2822()
        prefix = "SM" if kind == "Messages" else "CA"
        sid = prefix + secrets.token_hex(16)
        base = f"/{API_VERSION}/Accounts/{self.account_sid}"
        service = form.get("MessagingServiceSid") or None
        from_ = form.get("From", "")
        common = {
            "account_sid": self.account_sid,
            "api_version": API_VERSION,
            "date_created": now,
            "date_updated": now,
            "direction": "outbound-api",
            "from": from_ or None,
            "price": None,
            "price_unit": "USD",
            "sid": sid,
            "to": form["To"],
            "uri": f"{base}/{kind}/{sid}.json",
        }
        if kind == "Messages":
            body = form.get("Body", "")
            data = {
                **common,
                "body": body,
                "date_sent": None,
                "error_code": None,
                "error_message": None,
                "messaging_service_sid": service,
                "num_media": "0",
                "num_segments": str(num_segments(body)),
                # Through a Messaging Service without From, Twilio answers "accepted".
                "status": "accepted" if service and not from_ else "queued",
                "subresource_uris": {"media": f"{base}/Messages/{sid}/Media.json"},
            }
        else:
            data = {
                **common,
                "answered_by": None,
                "caller_name": None,
                "duration": None,
                "end_time": None,
                "forwarded_from": None,
                "from_formatted": from_,
                "group_sid": None,
                "parent_call_sid": None,
                "phone_number_sid": None,
                "queue_time": "0",
                "start_time": None,
                "status": "queued",
                "to_formatted": form["To"],
                "trunk_sid": None,
                "subresource_uris": {"recordings": f"{base}/Calls/{sid}/Recordings.json"},
            }
        resource = _Resource(
            sid=sid,
            kind=kind,
            to=form["To"],
            from_=from_,
            status=data["status"],
            status_callback=form.get("StatusCallback", ""),
            messaging_service_sid=service,
            final_status=outcome.final_status,
            final_error_code=outcome.final_error_code,
            data=data,
        )
        with self._lock:
            self._resources[sid] = resource
        return resource

    async def _fetch(self, request: web.Request) -> web.Response:
        if not self._auth_ok(request):
            return self._error(20003, 401, {})
        with self._lock:
            resource = self._resources.get(request.match_info["sid"])
            data = dict(resource.data) if resource else None
        if data is None:
            return self._error(20404, 404, {})
        return web.json_response(data)

    # --- control endpoints for a benchmark in another process --------------------------------
    async def _stats_view(self, request: web.Request) -> web.Response:
        return web.json_response(self.stats())

    async def _requests_view(self, request: web.Request) -> web.Response:
        return web.json_response([asdict(r) for r in self.requests])

    async def _reset_view(self, request: web.Request) -> web.Response:
        self.reset()
        return web.json_response({"reset": True})


def _new_event_loop() -> asyncio.AbstractEventLoop:
    """uvloop when it is installed (it is, through uvicorn[standard]); asyncio's otherwise."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - depends on the environment
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


def _parse_rate(text: str) -> tuple[int | str, float]:
    outcome, _, rate = text.partition("=")
    if not rate:
        raise argparse.ArgumentTypeError(f"expected OUTCOME=RATE like 429=0.05, got {text!r}")
    key: int | str = int(outcome) if outcome.isdigit() else outcome
    Outcome.of(key)  # reject unknown outcomes now rather than at the first request
    return key, float(rate)


def main(argv: list[str] | None = None) -> None:
    """Serve the fake from the command line until SIGINT/SIGTERM; print one JSON line first."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--latency-ms", type=float, default=0)
    parser.add_argument("--account-sid", default=DEFAULT_ACCOUNT_SID)
    parser.add_argument("--auth-token", default=DEFAULT_AUTH_TOKEN)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--fail",
        type=_parse_rate,
        action="append",
        default=[],
        metavar="OUTCOME=RATE",
        help="random failure rate, e.g. --fail 429=0.05 --fail 503=0.01",
    )
    parser.add_argument("--auto-status-ms", type=float, default=None)
    parser.add_argument(
        "--max-recorded", type=int, default=None, help="keep only the last N requests"
    )
    args = parser.parse_args(argv)
    server = FakeTwilioServer(
        account_sid=args.account_sid,
        auth_token=args.auth_token,
        host=args.host,
        port=args.port,
        latency_ms=args.latency_ms,
        failure_rates=dict(args.fail),
        seed=args.seed,
        auto_status_ms=args.auto_status_ms,
        max_recorded=args.max_recorded,
    )
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    with server:
        line = {
            "url": server.url,
            "account_sid": server.account_sid,
            "auth_token": server.auth_token,
        }
        print(json.dumps(line), flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            while not stop.wait(0.5):
                pass


if __name__ == "__main__":
    main()
