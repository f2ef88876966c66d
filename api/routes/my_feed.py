"""My feed: what concerns me across 看/办/议/问, newest first."""

from __future__ import annotations

from typing import Annotated

import asyncpg
from litestar import Controller, get
from litestar.params import Parameter

from api.conventions.openapi import READ, problems
from api.conventions.paging import Page, page_of
from api.routes.common import BEARER
from api.schemas.my_feed import FeedItem, FeedKind, feed_item_view
from domain.permissions import Principal
from store.paging import Keyset
from usecases import my_feed


class MyFeedController(Controller):
    path = "/v1"
    tags = ["feed"]
    security = BEARER

    @get("/me/feed", operation_id="listMyFeed", summary="My feed: what concerns me across 看/办/议/问, newest first",
         responses=problems(READ))
    async def feed(
        self, conn: asyncpg.Connection, principal: Principal, keyset: Keyset,
        kind: Annotated[list[FeedKind] | None, Parameter(query="kind", description="Only items of these kinds.")] = None,
    ) -> Page[FeedItem]:
        """Announcements to acknowledge, votes opened in my building, changes to my reports and
        bookings, answers to my questions. Pages neither skip nor repeat while new items arrive
        (they come before the first page)."""
        found = await my_feed.page(conn, principal, keyset, list(kind or []))
        return page_of(found, keyset, feed_item_view)
