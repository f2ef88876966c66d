"""Opaque, typed resource ids: a short type prefix and 80 random bits in lower-case
Crockford base32, so ids cannot be enumerated and say what they name (``bld_…``)."""

from __future__ import annotations

import re
import secrets

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
_RANDOM_CHARS = 16  # 16 × 5 bits = 80 bits

PREFIXES = {
    "street": "str",
    "client": "cli",
    "community": "com",
    "building": "bld",
    "household": "hh",
    "event": "evt",
    "token": "tok",
    "person": "psn",
    "membership": "mbr",
    "invite": "inv",
    "role": "rol",
    "organization": "org",
    "refresh_token": "rft",
    "audit": "aud",
    "points": "pts",
    "webhook_endpoint": "whe",
    "webhook_delivery": "whd",
    "job": "job",
    "space": "spc",
    "booking": "bkg",
    "booking_series": "bks",
    "booking_suspension": "bsp",
    "proposal": "prp",
    "option": "opt",
    "ballot": "blt",
    "vote": "vot",
    "comment": "cmt",
    "timeline": "tln",
    "task": "tsk",
    "report": "rpt",
    "task_update": "tup",
    "dispatch": "dsp",
    "media": "med",
    "import": "imp",
    "resident_invitation": "rin",
    "notification": "ntf",
    "ledger_account": "lac",
    "transfer": "trf",
    "reward": "rwd",
    "redemption": "rdm",
    "document": "doc",
    "document_version": "dcv",
    "need": "ned",
    "partner_resource": "res",
    "project": "prj",
    "agreement": "agr",
    "campaign": "cmp",
    "campaign_nomination": "cnm",
    "campaign_issue": "cis",
    "campaign_rater": "crt",
    "campaign_score": "csc",
    "activity": "act",
    "activity_signup": "asu",
    "talent_invitation": "tiv",
    "fund_income": "fin",
    "expense": "exp",
    "expense_approval": "eap",
    "objection": "obj",
    "announcement": "ann",
    "question": "qst",
    "answer": "qan",
}

_ID_PATTERN = re.compile(r"^[a-z]{2,4}_[0-9a-hjkmnp-tv-z]{16}$")


def new_id(kind: str) -> str:
    prefix = PREFIXES[kind]
    return prefix + "_" + "".join(secrets.choice(_ALPHABET) for _ in range(_RANDOM_CHARS))


def new_ids(kind: str, count: int) -> list[str]:
    """``count`` new ids of ``kind`` at once, as ``new_id`` makes them (a bulk import's rows):
    one draw of random bytes for all, each id's 80 bits read as 16 base-32 digits."""
    prefix = PREFIXES[kind] + "_"
    pool = secrets.token_bytes(10 * count)
    ids = []
    for start in range(0, 10 * count, 10):
        number = int.from_bytes(pool[start:start + 10])
        ids.append(prefix + "".join(_ALPHABET[(number >> shift) & 31] for shift in range(75, -1, -5)))
    return ids


def looks_like(kind: str, value: str) -> bool:
    """True when ``value`` has the shape of an id of ``kind``; a cheap pre-check that lets
    the API answer 404 for garbage ids without a database round trip."""
    return value.startswith(PREFIXES[kind] + "_") and bool(_ID_PATTERN.match(value))
