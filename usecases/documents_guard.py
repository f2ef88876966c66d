"""What places ask of the documents feature: while a rules-of-procedure version is in force,
the building's rules change only by vote (an amendment adopted), never by ``PATCH``."""

from __future__ import annotations

import asyncpg

from domain.errors import Conflict
from store import documents as store


async def ensure_rules_not_governed(conn: asyncpg.Connection, street_id: str, building_id: str) -> None:
    """409 ``rules_governed_by_document`` while the building has a rules of procedure in force."""
    document = await store.get(conn, street_id, building_id, "rules_of_procedure")
    if document is not None and document.number_in_force > 0:
        raise Conflict("rules_governed_by_document", {"number_in_force": document.number_in_force})
