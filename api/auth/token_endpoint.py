"""``POST /v1/auth/token``: issues access tokens.

It accepts a JSON body, or — as OAuth 2.0 clients send it — a form body with the client
authenticated by HTTP Basic. It ignores Idempotency-Key: every token request issues a new
token. Grants: ``client_credentials`` (platform clients), ``wechat_code`` (a resident through
a mini-program client) and ``refresh_token`` (rotation); the last two answer with a refresh
token too, and their logic lives in usecases/signin.py."""

from __future__ import annotations

import base64
from typing import Annotated, Literal
from urllib.parse import parse_qsl, unquote

import msgspec
import structlog
from litestar import Request, Response, post
from msgspec import UNSET, Meta, UnsetType

from api.conventions.openapi import PUBLIC, DeclaredBody, Input, problems
from api.conventions.problems import ProblemError, field_error_from
from api.services import services_of
from domain.permissions import Principal
from usecases import clients as usecases_clients
from usecases import signin
from usecases.demo import DEVELOPMENT_SECRETS

log = structlog.get_logger("bilin.auth")

ClientId = Annotated[str, Meta(min_length=1, max_length=64, pattern=r"^[\x21-\x7e]+$", examples=["cli_8m3k9x2q7r5t1v4w"])]
Secret = Annotated[str, Meta(max_length=256, pattern=r"^[\x21-\x7e]*$", examples=["sk_3b7f9k2m8q5t1v4w"])]


class ClientCredentialsGrant(Input, tag="client_credentials", tag_field="grant_type"):
    """A platform client. Its id and secret may come in the body or by HTTP Basic."""

    client_id: ClientId | None = None
    client_secret: Secret | None = None
    scope: Annotated[str, Meta(max_length=512, examples=["street:read street:write"],
                               description="Narrow the token to these of the client's scopes")] | None = None


class WechatCodeGrant(Input, tag="wechat_code", tag_field="grant_type"):
    """A resident signing in through a mini-program client with the code from wx.login()."""

    client_id: ClientId
    code: Annotated[str, Meta(min_length=1, max_length=256, pattern=r"^[\x21-\x7e]+$",
                              examples=["0a3Xyz000abc"])]


class RefreshTokenGrant(Input, tag="refresh_token", tag_field="grant_type"):
    """Rotation: each refresh token works once; a reused one revokes its whole family. OAuth
    clients send their ``client_id`` too (RFC 6749 §6): it must be the token's client."""

    refresh_token: Annotated[str, Meta(min_length=1, max_length=256, pattern=r"^[\x21-\x7e]+$",
                                       examples=["rt_Hq3x9k2m8q5t1v4w"])]
    client_id: ClientId | None = None


TokenRequest = ClientCredentialsGrant | WechatCodeGrant | RefreshTokenGrant
_FORM_GRANTS = {grant.__struct_config__.tag: grant for grant in (ClientCredentialsGrant, WechatCodeGrant, RefreshTokenGrant)}


class TokenForm(msgspec.Struct, forbid_unknown_fields=True):
    """The token request as an OAuth 2.0 form (RFC 6749 §4.4, §6): one flat set of fields,
    which ``grant_type`` selects among, as each grant's JSON schema says. Documents the form
    for generators (a union cannot be sent as a form); the handler reads the form as the same
    tagged union it reads from JSON."""

    grant_type: Literal["client_credentials", "wechat_code", "refresh_token"]
    client_id: ClientId | None = None
    client_secret: Secret | None = None
    scope: Annotated[str, Meta(max_length=512, examples=["street:read street:write"])] | None = None
    code: Annotated[str, Meta(min_length=1, max_length=256, pattern=r"^[\x21-\x7e]+$",
                              examples=["0a3Xyz000abc"])] | None = None
    refresh_token: Annotated[str, Meta(min_length=1, max_length=256, pattern=r"^[\x21-\x7e]+$",
                                       examples=["rt_Hq3x9k2m8q5t1v4w"])] | None = None


class TokenResponse(msgspec.Struct, omit_defaults=True):
    access_token: Annotated[str, Meta(examples=["eyJhbGciOiJIUzI1NiIsImtpZCI6Ii4uLiJ9…"])]
    token_type: Literal["Bearer"]
    expires_in: Annotated[int, Meta(examples=[900])]
    scope: Annotated[str, Meta(examples=["street:read street:write"],
                               description="A platform client's scopes; empty for a person")]
    refresh_token: Annotated[str, Meta(
        examples=["rt_Hq3x9k2m8q5t1v4w"], description="wechat_code and refresh_token grants: works once, 30 days")
    ] | UnsetType = UNSET


def _invalid_client() -> ProblemError:
    return ProblemError("invalid_client", headers={"WWW-Authenticate": 'Basic realm="bilin"'})


async def _read_token_request(request: Request) -> TokenRequest:
    body = await request.body()
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        if media_type == "application/x-www-form-urlencoded":
            fields = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=False))
            # RFC 6749 §3.2: the server MUST ignore parameters it does not recognise — in the
            # OAuth form only; a JSON body stays strict like every other.
            grant = _FORM_GRANTS.get(fields.get("grant_type", ""))
            if grant is not None:
                fields = {k: v for k, v in fields.items() if k == "grant_type" or k in grant.__struct_fields__}
            token_request = msgspec.convert(fields, TokenRequest)
        else:
            token_request = msgspec.json.decode(body, type=TokenRequest)
    except msgspec.ValidationError as error:
        raise ProblemError("validation_failed", errors=[field_error_from(str(error))]) from None
    except (msgspec.DecodeError, UnicodeDecodeError):
        raise ProblemError("malformed_body") from None
    authorization = request.headers.get("authorization", "")
    if authorization[:6].lower() == "basic " and isinstance(token_request, ClientCredentialsGrant):
        client_id, client_secret = _basic_credentials(authorization[6:])
        try:  # the decoded values obey the same rules as those sent in the body
            token_request = msgspec.convert(
                {**msgspec.structs.asdict(token_request), "client_id": client_id, "client_secret": client_secret},
                ClientCredentialsGrant)
        except msgspec.ValidationError:
            raise _invalid_client() from None
    return token_request


def _basic_credentials(encoded: str) -> tuple[str, str]:
    """RFC 7617 credentials; anything but base64 of UTF-8 ``id:secret`` is invalid_client."""
    try:
        # ValueError covers binascii.Error, non-ASCII input and UnicodeDecodeError alike.
        user, colon, password = base64.b64decode(encoded.strip(), validate=True).decode("utf-8").partition(":")
        # RFC 6749 §2.3.1: the Basic credentials are form-urlencoded before encoding.
        user, password = unquote(user, errors="strict"), unquote(password, errors="strict")
    except ValueError:
        raise _invalid_client() from None
    if not colon or not user:
        raise _invalid_client()
    return user, password


async def _client_credentials(request: Request, token_request: ClientCredentialsGrant
                              ) -> tuple[Principal, str | None]:
    if not token_request.client_id or not token_request.client_secret:
        raise _invalid_client()
    if token_request.client_secret in DEVELOPMENT_SECRETS and services_of(request).settings.production:
        log.warning("development_secret_refused", client_id=token_request.client_id)
        raise _invalid_client()
    async with services_of(request).db.connection() as conn:
        client = await usecases_clients.authenticate_platform(conn, token_request.client_id,
                                                              token_request.client_secret)
    if client is None:
        raise _invalid_client()
    granted = frozenset(client.scopes)
    if token_request.scope:
        asked = frozenset(token_request.scope.split())
        if not asked <= granted:
            raise ProblemError("invalid_scope")
        granted = asked
    return Principal(kind="platform", client_id=client.id, street_id=client.street_id,
                     scopes=granted), None


async def _person_grant(request: Request, token_request: WechatCodeGrant | RefreshTokenGrant
                        ) -> tuple[Principal, str | None]:
    services = services_of(request)
    try:
        if isinstance(token_request, WechatCodeGrant):
            signed_in = await signin.sign_in_with_wechat(services.db, services.sealer, services.wechat,
                                                         token_request.client_id, token_request.code)
        else:
            signed_in = await signin.refresh(services.db, token_request.refresh_token,
                                             client_id=token_request.client_id)
    except signin.GrantRefused as refused:
        raise (_invalid_client() if refused.code == "invalid_client" else ProblemError(refused.code)) from None
    return signed_in.principal, signed_in.refresh_token


@post("/v1/auth/token", operation_id="issueToken", summary="Issue an access token",
      tags=["auth"], status_code=200, responses=problems((*PUBLIC, 401, 403, 415, 502)),
      opt={"idempotent": False, "accepts_form": True,
           # a tagged union (one schema per grant type), as JSON or as the OAuth form
           "request_body": DeclaredBody("TokenRequest", TokenRequest, (
               "application/json", "application/x-www-form-urlencoded"),
               other_types=(("application/x-www-form-urlencoded", "TokenForm", TokenForm),))},
      security=[])
async def issue_token(request: Request) -> Response[TokenResponse]:
    token_request = await _read_token_request(request)
    if isinstance(token_request, ClientCredentialsGrant):
        principal, refresh_token = await _client_credentials(request, token_request)
    else:
        principal, refresh_token = await _person_grant(request, token_request)
    token, expires_in = services_of(request).keyring.issue(principal)
    body = TokenResponse(access_token=token, token_type="Bearer", expires_in=expires_in,
                         scope=" ".join(sorted(principal.scopes)),
                         refresh_token=refresh_token if refresh_token else UNSET)
    return Response(body, headers={"Cache-Control": "no-store"})  # RFC 6749 §5.1
