"""Personal information as other people may see it (PIPL): masked names and numbers."""

from __future__ import annotations

ANONYMOUS = "居民"

# Each role is held on one kind of scope.
ROLE_SCOPE_TYPES = {"building_leader": "building", "community_staff": "community",
                    "street_officer": "street", "organization_member": "organization"}


def mask_name(name: str) -> str:
    """Keep the first and last character, hide the rest: 张小华 → 张*华, 李四 → 李*,
    欧阳建国 → 欧**国. The masked name is as long as the name."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_phone(phone: str | None) -> str | None:
    """138****8000: the first three and last four digits of an 11-digit number; shorter
    numbers keep only their last two."""
    if not phone:
        return None
    if len(phone) >= 11:
        return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
    return "*" * max(0, len(phone) - 2) + phone[-2:]


def display_name(real_name: str | None, nickname: str | None) -> str:
    """What other residents see: the masked real name, else the nickname, else 居民."""
    if real_name:
        return mask_name(real_name)
    return nickname or ANONYMOUS
