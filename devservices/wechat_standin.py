"""A stand-in for WeChat's server API, on loopback, for local runs and the tests.

It speaks the same HTTP protocol as ``https://api.weixin.qq.com`` for the calls the service
makes (jscode2session, cgi-bin/stable_token, getuserphonenumber, message/subscribe/send,
msg_sec_check; and cgi-bin/token, which the service must never call): HTTP 200 with a JSON
body that carries ``errcode`` on failure. The service cannot tell it from WeChat, so the code that
runs against it is the code that runs in production.

Codes map deterministically to identities, so anyone can sign in as a known person:

- login code ``X`` → openid ``openid-X``; a code starting with ``u-`` also gets unionid
  ``unionid-X`` (the same person across the mini-programs of one open-platform account);
- phone code ``phone-13800138000`` → that number (country code 86);
- ``invalid`` → 40029, ``used`` → 40163, ``busy`` → 45011, ``blocked`` → 40226,
  ``system`` → -1, ``slow`` → answers only after ``slow_seconds`` (longer than a client waits).

Codes are reusable here (WeChat's are one-time), so a newcomer can sign in again with the
same code. App pairs: a registered appid requires its secret (else 40125); an unregistered
appid is accepted with any secret, unless ``strict`` is on (then 40013).
Every request is recorded so that tests can check what was sent to WeChat.

stable_token in normal mode hands back the app's current token while it lives (as WeChat
does), a new one once it expired; ``force_refresh`` always issues a new one (counted in
``force_refreshes``). Subscription messages answer the errcodes queued with ``queue_send``
(``"slow"`` waits longer than a client does), else 0; a value over its key type's limit is
47003. Content checks decide by marker words: ``[risky]`` → risky (label 20001),
``[review]`` → review (label 20002), else pass; ``sec_check`` set to ``"system"`` answers -1,
``"slow"`` waits, ``"inactive"`` answers 61010."""

from __future__ import annotations

import json
import secrets
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

ERRORS = {
    "invalid": (40029, "invalid code"),
    "used": (40163, "code been used"),
    "busy": (45011, "api minute-quota reach limit  mustslower  retry next minute"),
    "blocked": (40226, "invalid login code, user has been blocked for high risk"),
    "system": (-1, "system error"),
}


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    query: dict[str, str]
    body: bytes
    appid: str  # from the query, or the app the access token was issued to


@dataclass
class _IssuedToken:
    appid: str
    expires_at: float
    revoked: bool = False


@dataclass
class _State:
    apps: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, _IssuedToken] = field(default_factory=dict)
    requests: list[RecordedRequest] = field(default_factory=list)
    session_keys: list[str] = field(default_factory=list)
    current: dict[str, str] = field(default_factory=dict)  # appid → its stable token
    force_refreshes: dict[str, int] = field(default_factory=dict)
    sends: list[int | str] = field(default_factory=list)
    accepted: list[dict] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class WeChatStandIn:
    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, slow_seconds: float = 5.0,
                 token_ttl: int = 7200, strict: bool = False) -> None:
        self.slow_seconds = slow_seconds
        self.token_ttl = token_ttl
        self.strict = strict
        self.stable_token_error: int | None = None  # stable_token answers this errcode
        self.sec_check: str | None = None  # "system", "slow", "inactive": content checks fail so
        self._state = _State()
        self._stopping = threading.Event()
        self._server = _Server((host, port), _handler_for(self))
        self._thread: threading.Thread | None = None

    # Lifecycle

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> WeChatStandIn:
        self._thread = threading.Thread(target=self._server.serve_forever, name="wechat-standin",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()

    # What tests arrange and inspect

    def register_app(self, appid: str, secret: str) -> None:
        with self._state.lock:
            self._state.apps[appid] = secret

    def requests(self, path: str | None = None, *, appid: str | None = None) -> list[RecordedRequest]:
        with self._state.lock:
            recorded = list(self._state.requests)
        return [r for r in recorded if (path is None or r.path == path) and (appid is None or r.appid == appid)]

    @property
    def session_keys(self) -> list[str]:
        """Every session_key handed out: none may ever reach a client or a log line."""
        with self._state.lock:
            return list(self._state.session_keys)

    def force_refreshes(self, appid: str) -> int:
        with self._state.lock:
            return self._state.force_refreshes.get(appid, 0)

    def queue_send(self, *outcomes: int | str) -> None:
        """The next subscription messages answer these errcodes (or ``"slow"``), in order."""
        with self._state.lock:
            self._state.sends.extend(outcomes)

    def sent_messages(self, touser: str | None = None) -> list[dict]:
        """The subscription messages WeChat accepted (errcode 0)."""
        return [m for m in self._state_list("accepted") if touser is None or m.get("touser") == touser]

    def _state_list(self, name: str) -> list[dict]:
        with self._state.lock:
            return list(getattr(self._state, name, []))

    def revoke_access_tokens(self) -> None:
        """As when someone else fetched a newer token: old ones answer 40001."""
        with self._state.lock:
            for token in self._state.tokens.values():
                token.revoked = True

    def expire_access_tokens(self) -> None:
        """As when a token outlived its 7200 s: old ones answer 42001."""
        with self._state.lock:
            for token in self._state.tokens.values():
                token.expires_at = 0.0

    # The protocol

    def _check_app(self, appid: str, secret: str) -> dict | None:
        with self._state.lock:
            known = self._state.apps.get(appid)
        if known is None:
            return _error(40013, "invalid appid") if self.strict or not appid else None
        return None if secrets.compare_digest(known.encode(), secret.encode()) else _error(40125, "invalid appsecret")

    def _special(self, code: str) -> dict | None:
        if code == "slow":
            self._stopping.wait(self.slow_seconds)
            return None
        if code in ERRORS:
            return _error(*ERRORS[code])
        return None

    def jscode2session(self, query: dict[str, str]) -> dict:
        code = query.get("js_code", "")
        if query.get("grant_type") != "authorization_code":
            return _error(40002, "invalid grant_type")
        refused = self._check_app(query.get("appid", ""), query.get("secret", "")) or self._special(code)
        if refused:
            return refused
        if not code:
            return _error(40029, "invalid code")
        session_key = secrets.token_urlsafe(16)
        with self._state.lock:
            self._state.session_keys.append(session_key)
        answer = {"openid": f"openid-{code}", "session_key": session_key}
        if code.startswith("u-"):
            answer["unionid"] = f"unionid-{code}"
        return answer

    def access_token(self, query: dict[str, str]) -> dict:
        if query.get("grant_type") != "client_credential":
            return _error(40002, "invalid grant_type")
        appid = query.get("appid", "")
        refused = self._check_app(appid, query.get("secret", ""))
        if refused:
            return refused
        token = "ACCESS_TOKEN_" + secrets.token_urlsafe(24)
        with self._state.lock:
            self._state.tokens[token] = _IssuedToken(appid, time.time() + self.token_ttl)
        return {"access_token": token, "expires_in": self.token_ttl}

    def stable_token(self, body: bytes) -> dict:
        request = _json(body)
        if request is None or request.get("grant_type") != "client_credential":
            return _error(40002, "invalid grant_type")
        appid = str(request.get("appid", ""))
        refused = self._check_app(appid, str(request.get("secret", "")))
        if refused:
            return refused
        if self.stable_token_error is not None:
            return _error(self.stable_token_error, "system error")
        force = request.get("force_refresh") is True
        with self._state.lock:
            current = self._state.tokens.get(self._state.current.get(appid, ""))
            if force:
                self._state.force_refreshes[appid] = self._state.force_refreshes.get(appid, 0) + 1
            elif current is not None and current.expires_at > time.time():
                token = self._state.current[appid]
                return {"access_token": token, "expires_in": int(current.expires_at - time.time())}
            token = "ACCESS_TOKEN_" + secrets.token_urlsafe(24)
            self._state.tokens[token] = _IssuedToken(appid, time.time() + self.token_ttl)
            self._state.current[appid] = token
        return {"access_token": token, "expires_in": self.token_ttl}

    def _token_refusal(self, query: dict[str, str]) -> dict | None:
        with self._state.lock:
            issued = self._state.tokens.get(query.get("access_token", ""))
        if issued is None or issued.revoked:
            return _error(40001, "invalid credential, access_token is invalid or not latest")
        if issued.expires_at < time.time():
            return _error(42001, "access_token expired")
        return None

    def subscribe_send(self, query: dict[str, str], body: bytes) -> dict:
        refused = self._token_refusal(query)
        if refused:
            return refused
        message = _json(body)
        if message is None or not isinstance(message.get("data"), dict) or not message.get("touser"):
            return _error(47001, "data format error")
        if not message.get("template_id"):
            return _error(40037, "invalid template_id")
        if message.get("miniprogram_state", "formal") not in ("formal", "trial", "developer"):
            return _error(41030, "invalid miniprogram_state")
        with self._state.lock:
            outcome = self._state.sends.pop(0) if self._state.sends else 0
        if outcome == "slow":
            self._stopping.wait(self.slow_seconds)
            return _error(-1, "system error")  # too late: the client has given up
        if outcome != 0:
            return _error(int(outcome), "refused")
        for key, item in message["data"].items():
            value = item.get("value") if isinstance(item, dict) else None
            if not isinstance(value, str) or len(value) > _LIMITS.get(key.rstrip("0123456789"), 20):
                return _error(47003, f"argument invalid! data.{key}.value invalid")
        with self._state.lock:
            self._state.accepted.append(message)
        return {"errcode": 0, "errmsg": "ok", "msgid": secrets.randbelow(10**12)}

    def msg_sec_check(self, query: dict[str, str], body: bytes) -> dict:
        refused = self._token_refusal(query)
        if refused:
            return refused
        request = _json(body)
        if request is None or request.get("version") != 2 or request.get("scene") not in (1, 2, 3, 4):
            return _error(47001, "data format error")
        if self.sec_check == "slow":
            self._stopping.wait(self.slow_seconds)
        if self.sec_check == "system":
            return _error(-1, "system error")
        if self.sec_check == "inactive":
            return _error(61010, "user is not active in two hours")
        content = str(request.get("content", ""))
        suggest, label = ("risky", 20001) if "[risky]" in content else (
            ("review", 20002) if "[review]" in content else ("pass", 100))
        return {"errcode": 0, "errmsg": "ok", "trace_id": secrets.token_hex(8),
                "result": {"suggest": suggest, "label": label},
                "detail": [{"strategy": "content_model", "errcode": 0, "suggest": suggest, "label": label}]}

    def phone_number(self, query: dict[str, str], body: bytes) -> dict:
        refused = self._token_refusal(query)
        if refused:
            return refused
        with self._state.lock:
            issued = self._state.tokens[query["access_token"]]
        try:
            code = str(json.loads(body or b"{}").get("code", ""))
        except (ValueError, AttributeError):
            return _error(47001, "data format error")
        special = self._special(code)
        if special:
            return special
        number = code.removeprefix("phone-")
        if not code.startswith("phone-") or not number.isdigit():
            return _error(40029, "invalid code")
        return {"errcode": 0, "errmsg": "ok", "phone_info": {
            "phoneNumber": f"+86 {number}", "purePhoneNumber": number, "countryCode": "86",
            "watermark": {"timestamp": int(time.time()), "appid": issued.appid}}}


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # a sleeping "slow" answer must not block stop()

    def handle_error(self, request: object, client_address: object) -> None:
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return  # a client that gave up waiting ("slow") closed the socket: nothing to report
        super().handle_error(request, client_address)


# WeChat's value limits by key type (thing ≤ 20, phrase ≤ 5, name ≤ 10, …); the key's digits
# (``thing1``) name the field, its letters the type.
_LIMITS = {"thing": 20, "character_string": 32, "number": 32, "phrase": 5, "name": 10, "time": 32,
           "date": 32, "amount": 32, "phone_number": 17, "car_number": 8, "letter": 32, "symbol": 5}


def _json(body: bytes) -> dict | None:
    try:
        value = json.loads(body or b"{}")
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _error(errcode: int, errmsg: str) -> dict:
    return {"errcode": errcode, "errmsg": errmsg}


def _handler_for(standin: WeChatStandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self, method: str) -> None:
            url = urlsplit(self.path)
            query = dict(parse_qsl(url.query))
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with standin._state.lock:
                issued = standin._state.tokens.get(query.get("access_token", ""))
                appid = query.get("appid") or (issued.appid if issued else "") or str(
                    (_json(body) or {}).get("appid", "")) if url.path == "/cgi-bin/stable_token" else (
                    query.get("appid") or (issued.appid if issued else ""))
                standin._state.requests.append(RecordedRequest(method, url.path, query, body, appid))
            # WeChat answers jscode2session as text/plain; clients must not rely on the type.
            content_type = "application/json"
            if method == "GET" and url.path == "/sns/jscode2session":
                answer, content_type = standin.jscode2session(query), "text/plain"
            elif method == "GET" and url.path == "/cgi-bin/token":
                answer = standin.access_token(query)
            elif method == "POST" and url.path == "/cgi-bin/stable_token":
                answer = standin.stable_token(body)
            elif method == "POST" and url.path == "/cgi-bin/message/subscribe/send":
                answer = standin.subscribe_send(query, body)
            elif method == "POST" and url.path == "/wxa/msg_sec_check":
                answer = standin.msg_sec_check(query, body)
            elif method == "POST" and url.path == "/wxa/business/getuserphonenumber":
                answer = standin.phone_number(query, body)
            else:
                answer = _error(-1, "system error")  # what WeChat says to an unknown call
            payload = json.dumps(answer).encode()
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def do_GET(self) -> None:
            self._answer("GET")

        def do_POST(self) -> None:
            self._answer("POST")

        def log_message(self, format: str, *args: object) -> None:
            pass  # request lines carry the app secret in the query: never print them

    return Handler
