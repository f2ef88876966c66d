"""WeChat's server API, as the service uses it: a login code exchanged for the user's
openid (``jscode2session``), a phone-number code exchanged for the verified number
(``getuserphonenumber``), subscription messages (``subscribe/send``) and content checks
(``msg_sec_check``), the last three with the access token from ``/cgi-bin/stable_token``.

WeChat answers HTTP 200 with an ``errcode`` in the body; each failure becomes a
``WeChatError`` with a stable problem code, never a 500:

| WeChat                                     | problem                    | status |
|--------------------------------------------|----------------------------|--------|
| 40029 invalid code, 40163 code used        | ``wechat_code_invalid``    | 400    |
| 40226 user blocked for high risk           | ``wechat_user_blocked``    | 403    |
| 40013/40125/40164/41002/41004 app refused  | ``wechat_app_misconfigured`` | 502  |
| any other errcode, an unreadable answer    | ``wechat_error``           | 502    |
| 45011/45009 quota reached                  | ``wechat_rate_limited``    | 503, Retry-After 60 |
| -1 system busy, timeout, network failure   | ``wechat_unavailable``     | 503, Retry-After 5 |

``session_key`` is dropped as soon as the answer is read: the service decrypts no WeChat
user data, so it neither keeps nor logs it. Secrets, codes and phone numbers are never
logged; only the API name, the appid and WeChat's errcode are."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from dataclasses import dataclass
from typing import Any

import httpx
import structlog
from redis.asyncio import Redis
from redis.exceptions import RedisError

from domain.errors import DomainError

log = structlog.get_logger("bilin.wechat")
# httpx logs every request URL at INFO, and jscode2session's URL carries the app secret and
# the login code (WeChat's protocol puts them in the query string).
logging.getLogger("httpx").setLevel(logging.WARNING)

_REFRESH_MARGIN = 300  # re-fetch an access token five minutes before WeChat expires it
_STALE_TOKEN = {40001, 42001}  # "not the latest token" / "expired": fetch a new one, once
_PROBLEMS: dict[int, tuple[str, int | None]] = {
    40029: ("wechat_code_invalid", None),
    40163: ("wechat_code_invalid", None),
    40226: ("wechat_user_blocked", None),
    45011: ("wechat_rate_limited", 60),
    45009: ("wechat_rate_limited", 60),
    -1: ("wechat_unavailable", 5),
    **{errcode: ("wechat_app_misconfigured", None) for errcode in (40013, 40125, 40164, 41002, 41004)},
}


class WeChatError(DomainError):
    def __init__(self, code: str, *, errcode: int | None = None, retry_after: int | None = None) -> None:
        params: dict[str, Any] = {"errcode": errcode}
        if retry_after is not None:
            params["retry_after"] = retry_after  # becomes the problem's Retry-After header
        super().__init__(code, params)


class WeChatTimeout(WeChatError):
    """No answer once the request may have reached WeChat: whether it acted is unknown."""

    def __init__(self) -> None:
        super().__init__("wechat_unavailable", retry_after=5)


def unavailable() -> WeChatError:
    return WeChatError("wechat_unavailable", retry_after=5)


@dataclass(frozen=True)
class WeChatSession:
    openid: str
    unionid: str | None


@dataclass(frozen=True)
class VerifiedPhone:
    number: str  # mainland numbers (86) as the 11 digits, others in E.164
    country_code: str


def _text(answer: dict[str, Any], key: str) -> str | None:
    value = answer.get(key)
    return value if isinstance(value, str) and value else None


class WeChatClient:
    def __init__(self, base_url: str, *, timeout: float = 3.0, redis: Redis | None = None) -> None:
        self._base_url = base_url.rstrip("/")
        self._timeout = timeout
        self._http: httpx.AsyncClient | None = None  # opened on first use, in the running loop
        self._redis = redis
        self._tokens: dict[str, tuple[str, float]] = {}  # when Redis is absent or down
        self._locks: dict[str, asyncio.Lock] = {}

    @property
    def timeout(self) -> float:
        """Seconds one request waits for WeChat."""
        return self._timeout

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    async def code_to_session(self, appid: str, secret: str, code: str) -> WeChatSession:
        answer = await self._call("jscode2session", "GET", "/sns/jscode2session", appid, params={
            "appid": appid, "secret": secret, "js_code": code, "grant_type": "authorization_code"})
        openid = _text(answer, "openid")
        if openid is None:
            raise self._refused("jscode2session", appid)
        return WeChatSession(openid=openid, unionid=_text(answer, "unionid"))

    async def phone_number(self, appid: str, secret: str, code: str) -> VerifiedPhone:
        # getPhoneNumber codes work once and each success is billed: never retried, except the
        # one renewal of a stale token (WeChat refused the token, not the code).
        answer = await self.with_token("getuserphonenumber", "/wxa/business/getuserphonenumber", appid, secret,
                                       {"code": code})
        self._check("getuserphonenumber", appid, answer)
        info = answer.get("phone_info")
        if not isinstance(info, dict):
            raise self._refused("getuserphonenumber", appid)
        pure, country = _text(info, "purePhoneNumber"), _text(info, "countryCode")
        watermark = info.get("watermark")
        if (pure is None or country is None or not (pure + country).isdigit()
                or not isinstance(watermark, dict) or watermark.get("appid") != appid):
            raise self._refused("getuserphonenumber", appid)
        return VerifiedPhone(number=pure if country == "86" else f"+{country}{pure}", country_code=country)

    async def with_token(self, api: str, path: str, appid: str, secret: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST ``body`` to ``path`` with the app's access token; WeChat's answer unchecked (each
        API reads its own errcodes). A stale token (40001/42001) is renewed once and the call made
        once more. Transport failures raise ``wechat_unavailable`` (``WeChatTimeout`` when the
        request may have reached WeChat)."""
        token = await self._token_before_call(appid, secret)
        answer = await self._call(api, "POST", path, appid, params={"access_token": token}, json=body, check=False)
        if answer.get("errcode") in _STALE_TOKEN:
            # Someone made WeChat issue a newer token, or ours outlived our estimate.
            token = await self._token_before_call(appid, secret, stale=token)
            answer = await self._call(api, "POST", path, appid, params={"access_token": token}, json=body,
                                      check=False)
        return answer

    async def send_subscribe_message(self, appid: str, secret: str, message: dict[str, Any]) -> int:
        """WeChat's errcode for one subscription message (0: accepted). Raises ``WeChatTimeout``
        when WeChat may have it but did not answer in time, ``WeChatError`` when it never got it."""
        answer = await self.with_token("subscribe_send", "/cgi-bin/message/subscribe/send", appid, secret, message)
        errcode = answer.get("errcode", 0)
        if errcode not in (0, None):
            log.warning("wechat_refused", api="subscribe_send", appid=appid, errcode=errcode)
        return errcode if isinstance(errcode, int) and not isinstance(errcode, bool) else (
            0 if errcode is None else -2)

    async def check_text(self, appid: str, secret: str, *, openid: str, content: str, scene: int) -> tuple[str, int]:
        """msgSecCheck v2 on one chunk: WeChat's ``(suggest, label)`` (pass, review, risky).
        Raises ``WeChatError`` when WeChat gives no verdict (-1, 61010, a timeout, …)."""
        answer = await self.with_token("msg_sec_check", "/wxa/msg_sec_check", appid, secret, {
            "content": content, "version": 2, "scene": scene, "openid": openid})
        self._check("msg_sec_check", appid, answer)
        result = answer.get("result")
        suggest = result.get("suggest") if isinstance(result, dict) else None
        label = result.get("label") if isinstance(result, dict) else None
        if suggest not in ("pass", "review", "risky"):
            raise self._refused("msg_sec_check", appid)
        return suggest, label if isinstance(label, int) and not isinstance(label, bool) else 0

    async def _token_before_call(self, appid: str, secret: str, *, stale: str | None = None) -> str:
        try:
            return await self._access_token(appid, secret, stale=stale)
        except WeChatTimeout:
            raise unavailable() from None  # no call was made yet: nothing is unknown

    # The mini-program's access token, from /cgi-bin/stable_token in normal mode (never
    # /cgi-bin/token, which would invalidate the token of the mini-program's own back end),
    # cached per (base URL, appid, secret) until shortly before it expires: in Redis, shared by
    # every worker, else in this process. The secret is in the key (as a digest) so a changed
    # or wrong secret never reuses a token fetched with another. Tokens are never logged.

    def _cache_key(self, appid: str, secret: str) -> str:
        binding = hashlib.sha256(f"{self._base_url}\x1f{appid}\x1f{secret}".encode()).hexdigest()[:32]
        return f"bilin:wechat:token:{binding}"

    async def _cached(self, key: str) -> str | None:
        if self._redis is not None:
            try:
                value = await self._redis.get(key)
                if value:
                    return value.decode() if isinstance(value, bytes) else str(value)
            except (TimeoutError, RedisError, OSError):
                pass
        token, deadline = self._tokens.get(key, ("", 0.0))
        return token if token and deadline > time.monotonic() else None

    async def _remember(self, key: str, token: str, seconds: int) -> None:
        self._tokens[key] = (token, time.monotonic() + seconds)
        if self._redis is not None:
            try:
                await self._redis.set(key, token, ex=seconds)
            except (TimeoutError, RedisError, OSError):
                pass

    async def _access_token(self, appid: str, secret: str, *, stale: str | None = None) -> str:
        """The cached token, else a fetched one. With ``stale`` (WeChat refused it): fetch once
        more; only when WeChat hands back that same token, force a new one (force_refresh is
        rationed by WeChat and invalidates the token everywhere, so it is the last resort)."""
        key = self._cache_key(appid, secret)
        cached = await self._cached(key)
        if cached and cached != stale:
            return cached
        async with self._locks.setdefault(key, asyncio.Lock()):  # one fetch per process at a time
            cached = await self._cached(key)
            if cached and cached != stale:
                return cached
            token, expires_in = await self._stable_token(appid, secret, force_refresh=False)
            if stale is not None and token == stale:
                token, expires_in = await self._stable_token(appid, secret, force_refresh=True)
            await self._remember(key, token, max(expires_in - _REFRESH_MARGIN, expires_in // 2, 1))
            return token

    async def _stable_token(self, appid: str, secret: str, *, force_refresh: bool) -> tuple[str, int]:
        answer = await self._call("stable_token", "POST", "/cgi-bin/stable_token", appid, json={
            "grant_type": "client_credential", "appid": appid, "secret": secret, "force_refresh": force_refresh})
        token, expires_in = _text(answer, "access_token"), answer.get("expires_in")
        if token is None or not isinstance(expires_in, int) or isinstance(expires_in, bool) or expires_in <= 0:
            raise self._refused("stable_token", appid)
        return token, expires_in

    # One call: transport failures and WeChat's errcodes become WeChatErrors.

    async def _call(self, api: str, method: str, path: str, appid: str, *, check: bool = True,
                    **request: Any) -> dict[str, Any]:
        if self._http is None:
            self._http = httpx.AsyncClient(base_url=self._base_url, timeout=self._timeout,
                                           follow_redirects=False)
        try:
            response = await self._http.request(method, path, **request)
        except httpx.HTTPError as error:  # timeouts included; the URL (with the token) is not logged
            log.warning("wechat_unreachable", api=api, appid=appid, error=type(error).__name__)
            if isinstance(error, (httpx.ConnectError, httpx.ConnectTimeout)):
                raise unavailable() from None  # never reached WeChat
            raise WeChatTimeout() from None
        if response.status_code >= 500:
            log.warning("wechat_unreachable", api=api, appid=appid, status=response.status_code)
            raise unavailable()
        try:
            answer = json.loads(response.content)  # WeChat may say text/plain: ignore the type
        except ValueError:
            answer = None
        if response.status_code != 200 or not isinstance(answer, dict):
            raise self._refused(api, appid, status=response.status_code)
        if check:
            self._check(api, appid, answer)
        return answer

    def _check(self, api: str, appid: str, answer: dict[str, Any]) -> None:
        errcode = answer.get("errcode", 0)
        if errcode in (0, None):
            return
        code, retry_after = _PROBLEMS.get(errcode, ("wechat_error", None)) if isinstance(errcode, int) else (
            "wechat_error", None)
        log.warning("wechat_refused", api=api, appid=appid, errcode=errcode, problem=code)
        raise WeChatError(code, errcode=errcode if isinstance(errcode, int) else None, retry_after=retry_after)

    def _refused(self, api: str, appid: str, **detail: Any) -> WeChatError:
        log.warning("wechat_unexpected_answer", api=api, appid=appid, **detail)
        return WeChatError("wechat_error")
