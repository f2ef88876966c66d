"""Language negotiation: Simplified Chinese by default, English on request."""

from __future__ import annotations

SUPPORTED = ("zh-CN", "en")
DEFAULT = "zh-CN"


def negotiate(accept_language: str | None) -> str:
    """Pick zh-CN or en from an Accept-Language header, honouring q-values."""
    if not accept_language:
        return DEFAULT
    best, best_q = DEFAULT, -1.0
    for position, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        language = tag.strip().lower()
        if language.startswith("en"):
            candidate = "en"
        elif language.startswith("zh") or language == "*":
            candidate = "zh-CN"
        else:
            continue
        # Earlier entries win ties, as clients list preferences in order.
        if q > best_q or (q == best_q and position == 0):
            best, best_q = candidate, q
    return best if best_q > 0 else DEFAULT
