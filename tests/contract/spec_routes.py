"""The routes the contract must have and no others: what the spec names, plus the additions
docs/conformance.md lists. Read by tests/contract/test_openapi_contract.py."""

# Operations that need no token (conventions.md, "Authentication"): the token endpoint, the
# health checks, the metrics and the problem-type pages. They must say so with `security: []`.
PUBLIC_PATHS = {"/v1/auth/token", "/healthz", "/readyz", "/metrics", "/problems/{code}", "/v1/test-clock",
                "/v1/spaces/{space_id}/calendar.ics", "/v1/media/{media_id}/content",
                "/v1/imports/templates/communities.csv",
                "/v1/imports/templates/buildings.csv", "/v1/imports/templates/households.csv",
                "/v1/imports/templates/residents.csv"}

# /work/shared/spec/resources.md §1, the first five rows (the operator command has no route),
# plus the token endpoint (conventions.md). `{id}` stands for any path parameter. Extend this
# list from the spec as resources are implemented; a /v1 route the spec does not name fails.
SPEC_ROUTES = {
    # integrations.md §A: bulk import; a street's task list follows a dispatch (an addition)
    ("POST", "/v1/imports"), ("GET", "/v1/imports/{id}"), ("GET", "/v1/imports/{id}/errors"),
    ("POST", "/v1/imports/{id}/cancel"), ("GET", "/v1/imports/templates/communities.csv"),
    ("GET", "/v1/imports/templates/buildings.csv"), ("GET", "/v1/imports/templates/households.csv"),
    ("GET", "/v1/imports/templates/residents.csv"), ("GET", "/v1/streets/tasks"),
    ("POST", "/v1/auth/token"),
    ("GET", "/v1/communities"), ("POST", "/v1/communities"),
    ("GET", "/v1/communities/{id}"), ("PATCH", "/v1/communities/{id}"),
    ("GET", "/v1/communities/{id}/buildings"), ("POST", "/v1/communities/{id}/buildings"),
    ("GET", "/v1/buildings/{id}"), ("PATCH", "/v1/buildings/{id}"),
    ("GET", "/v1/buildings"),
    ("GET", "/v1/buildings/{id}/households"), ("POST", "/v1/buildings/{id}/households"),
    ("GET", "/v1/households/{id}"), ("PATCH", "/v1/households/{id}"),
    # Mini-program clients; GET /clients/{id} is an addition: the read whose ETag If-Match needs.
    ("GET", "/v1/clients"), ("POST", "/v1/clients"), ("GET", "/v1/clients/{id}"),
    ("PATCH", "/v1/clients/{id}"), ("DELETE", "/v1/clients/{id}"),
    ("POST", "/v1/me/phone"),
    # People and roles (resources.md §1).
    ("GET", "/v1/me"), ("PATCH", "/v1/me"), ("DELETE", "/v1/me"),
    ("POST", "/v1/me/memberships"), ("DELETE", "/v1/me/memberships/{id}"),
    ("POST", "/v1/households/{id}/invites"), ("GET", "/v1/buildings/{id}/members"),
    ("GET", "/v1/buildings/{id}/roles"), ("POST", "/v1/buildings/{id}/roles"),
    ("GET", "/v1/communities/{id}/roles"), ("POST", "/v1/communities/{id}/roles"),
    ("GET", "/v1/streets/roles"), ("POST", "/v1/streets/roles"), ("DELETE", "/v1/roles/{id}"),
    ("POST", "/v1/communities/{id}/role-invites"), ("POST", "/v1/me/roles"),
    ("GET", "/v1/organizations"), ("POST", "/v1/organizations"), ("POST", "/v1/organizations/{id}/members"),
    ("GET", "/v1/organizations/{id}"),  # an addition: the read of one organisation
    ("GET", "/v1/audit"),  # quality.md, "Security and privacy"
    # Additions (docs/conformance.md): a household's members with when each joined, for its head;
    # the versions of a household's ballot and who cast each, for its own members.
    ("GET", "/v1/households/{id}/members"), ("GET", "/v1/proposals/{id}/ballot/history"),
    # an organisation-member invite, for workers who live outside the street
    ("POST", "/v1/organizations/{id}/member-invites"),
    # The street office platform (resources.md §5) and the test clock (§6). GET of one endpoint
    # and rotate-secret are additions: the read If-Match needs, and "rotatable with an overlap".
    ("GET", "/v1/events"),
    ("GET", "/v1/webhook-endpoints"), ("POST", "/v1/webhook-endpoints"), ("GET", "/v1/webhook-endpoints/{id}"),
    ("PATCH", "/v1/webhook-endpoints/{id}"), ("DELETE", "/v1/webhook-endpoints/{id}"),
    ("GET", "/v1/webhook-endpoints/{id}/deliveries"), ("POST", "/v1/webhook-endpoints/{id}/rotate-secret"),
    ("POST", "/v1/webhook-deliveries/{id}/retry"),
    ("GET", "/v1/test-clock"), ("POST", "/v1/test-clock"),
    # Proposals and decisions (resources.md §2).
    ("GET", "/v1/buildings/{id}/proposals"), ("POST", "/v1/buildings/{id}/proposals"),
    ("GET", "/v1/proposals/{id}"), ("PATCH", "/v1/proposals/{id}"),
    ("POST", "/v1/proposals/{id}/supports"), ("DELETE", "/v1/proposals/{id}/supports/mine"),
    ("GET", "/v1/proposals/{id}/comments"), ("POST", "/v1/proposals/{id}/comments"),
    ("POST", "/v1/comments/{id}/hide"),
    ("GET", "/v1/proposals/{id}/options"), ("POST", "/v1/proposals/{id}/options"),
    ("POST", "/v1/proposals/{id}/transitions"),
    ("PUT", "/v1/proposals/{id}/ballot"), ("GET", "/v1/proposals/{id}/ballot"),
    # Task lists and reports (resources.md §3).
    ("GET", "/v1/buildings/{id}/tasks"), ("POST", "/v1/buildings/{id}/tasks"),
    ("GET", "/v1/tasks/{id}"), ("PATCH", "/v1/tasks/{id}"), ("POST", "/v1/tasks/{id}/transitions"),
    ("GET", "/v1/tasks/{id}/updates"), ("POST", "/v1/tasks/{id}/updates"), ("GET", "/v1/me/tasks"),
    ("POST", "/v1/communities/{id}/tasks"), ("POST", "/v1/streets/tasks"),
    ("GET", "/v1/buildings/{id}/reports"), ("POST", "/v1/buildings/{id}/reports"), ("GET", "/v1/reports/{id}"),
    ("POST", "/v1/reports/{id}/transitions"), ("POST", "/v1/reports/{id}/tasks"),
    ("POST", "/v1/reports/{id}/feedback"),
    ("GET", "/v1/proposals/{id}/result"), ("POST", "/v1/proposals/{id}/evaluations"),
    ("GET", "/v1/proposals/{id}/timeline"),
    # Shared spaces and bookings (resources.md §4).
    ("GET", "/v1/buildings/{id}/spaces"), ("POST", "/v1/buildings/{id}/spaces"),
    ("GET", "/v1/communities/{id}/spaces"), ("POST", "/v1/communities/{id}/spaces"),
    ("GET", "/v1/spaces"), ("GET", "/v1/spaces/{id}"), ("PATCH", "/v1/spaces/{id}"),
    ("GET", "/v1/spaces/{id}/availability"), ("POST", "/v1/spaces/{id}/bookings"),
    ("GET", "/v1/spaces/{id}/bookings"), ("GET", "/v1/bookings/{id}"), ("GET", "/v1/me/bookings"),
    ("POST", "/v1/bookings/{id}/transitions"), ("POST", "/v1/spaces/{id}/booking-series"),
    ("GET", "/v1/spaces/{id}/calendar.ics"), ("POST", "/v1/spaces/{id}/calendar-token"),
    # integrations.md §B: photos; reading one back and its locally stored bytes are additions
    ("POST", "/v1/media"), ("GET", "/v1/media/{id}"), ("GET", "/v1/media/{id}/content"),
    # The mini-program kit (integrations.md §B): subscription messages; GET of a client's
    # templates is an addition (the read beside the PUT).
    ("POST", "/v1/me/subscriptions"), ("GET", "/v1/me/notifications"),
    ("PUT", "/v1/clients/{id}/message-templates"), ("GET", "/v1/clients/{id}/message-templates"),
    ("POST", "/v1/moderation/{id}/{id}/approve"), ("POST", "/v1/moderation/{id}/{id}/reject"),
    # integrations.md §A, statistics
    ("GET", "/v1/stats"), ("GET", "/v1/stats/export"),
    # Street settings, points and rewards (community.md "Street settings" and §7).
    ("GET", "/v1/streets/settings"), ("PATCH", "/v1/streets/settings"),
    ("GET", "/v1/me/points"), ("GET", "/v1/me/points/transfers"), ("POST", "/v1/points/awards"),
    ("GET", "/v1/buildings/{id}/points/leaderboard"),
    ("GET", "/v1/communities/{id}/rewards"), ("POST", "/v1/communities/{id}/rewards"),
    ("GET", "/v1/streets/rewards"), ("POST", "/v1/streets/rewards"),
    ("GET", "/v1/rewards/{id}"), ("PATCH", "/v1/rewards/{id}"), ("POST", "/v1/rewards/{id}/redemptions"),
    ("POST", "/v1/redemptions/{id}/transitions"), ("GET", "/v1/me/redemptions"),
    # Conventions and rules of procedure adopted by vote (community.md §11).
    ("GET", "/v1/buildings/{id}/documents/{id}"), ("GET", "/v1/buildings/{id}/documents/{id}/versions"),
    ("POST", "/v1/buildings/{id}/documents/{id}/versions/{id}/filing"), ("GET", "/v1/proposals/{id}/amendment/diff"),
    # Three lists and co-building agreements (community.md §14).
    ("GET", "/v1/communities/{id}/needs"), ("POST", "/v1/communities/{id}/needs"),
    ("GET", "/v1/needs/{id}"), ("PATCH", "/v1/needs/{id}"), ("POST", "/v1/needs/{id}/transitions"),
    ("GET", "/v1/communities/{id}/resources"), ("POST", "/v1/communities/{id}/resources"),
    ("GET", "/v1/resources/{id}"), ("PATCH", "/v1/resources/{id}"),
    ("GET", "/v1/communities/{id}/projects"), ("POST", "/v1/communities/{id}/projects"),
    ("GET", "/v1/projects/{id}"), ("PATCH", "/v1/projects/{id}"), ("POST", "/v1/projects/{id}/transitions"),
    ("POST", "/v1/projects/{id}/tasks"),
    ("GET", "/v1/communities/{id}/agreements"), ("POST", "/v1/communities/{id}/agreements"),
    ("GET", "/v1/agreements/{id}"), ("PATCH", "/v1/agreements/{id}"), ("POST", "/v1/agreements/{id}/signatures"),
    ("POST", "/v1/agreements/{id}/transitions"),
    # 最美楼栋 rating campaigns (community.md §12); the reads of a rater's own sheets, of the
    # raters, of a self-assessment and of the results are additions.
    ("GET", "/v1/communities/{id}/campaigns"), ("POST", "/v1/communities/{id}/campaigns"),
    ("GET", "/v1/streets/campaigns"), ("POST", "/v1/streets/campaigns"),
    ("GET", "/v1/campaigns/{id}"), ("PATCH", "/v1/campaigns/{id}"),
    ("POST", "/v1/campaigns/{id}/nominations"), ("GET", "/v1/campaigns/{id}/nominations"),
    ("GET", "/v1/campaigns/{id}/nominations/{id}/assessment"), ("PUT", "/v1/campaigns/{id}/nominations/{id}/assessment"),
    ("POST", "/v1/campaigns/{id}/nominations/{id}/issues/{id}/task"),
    ("POST", "/v1/campaigns/{id}/raters"), ("GET", "/v1/campaigns/{id}/raters"),
    ("DELETE", "/v1/campaigns/{id}/raters/{id}"),
    ("PUT", "/v1/campaigns/{id}/scores/{id}"), ("GET", "/v1/campaigns/{id}/scores/{id}"),
    ("GET", "/v1/campaigns/{id}/scores"), ("GET", "/v1/campaigns/{id}/results"),
    # Activities and sign-ups (community.md §8); the check-in token's read is an addition.
    ("GET", "/v1/buildings/{id}/activities"), ("POST", "/v1/buildings/{id}/activities"),
    ("GET", "/v1/communities/{id}/activities"), ("POST", "/v1/communities/{id}/activities"),
    ("GET", "/v1/activities/{id}"), ("PATCH", "/v1/activities/{id}"), ("POST", "/v1/activities/{id}/transitions"),
    ("POST", "/v1/activities/{id}/signups"), ("DELETE", "/v1/activities/{id}/signups/mine"),
    ("GET", "/v1/activities/{id}/signups"), ("POST", "/v1/activities/{id}/attendances"),
    ("POST", "/v1/activities/{id}/checkins"), ("GET", "/v1/activities/{id}/checkin-token"),
    ("GET", "/v1/me/activities"),
    # Talent pool (community.md §9); answering an invitation is the spec's "accepts or declines".
    ("PUT", "/v1/me/talents"), ("GET", "/v1/me/talents"), ("GET", "/v1/communities/{id}/talents"),
    ("POST", "/v1/talents/{id}/invitations"), ("GET", "/v1/me/invitations"),
    ("POST", "/v1/invitations/{id}/transitions"),
    # The self-governance fund (the community part §13); a building's fund, the CSV export, the
    # approvals, rejection and the objections' list are the choices docs/fund.md names.
    ("GET", "/v1/communities/{id}/fund"), ("GET", "/v1/communities/{id}/fund/entries"),
    ("GET", "/v1/communities/{id}/fund/entries/export"), ("POST", "/v1/communities/{id}/fund/incomes"),
    ("GET", "/v1/buildings/{id}/fund"), ("GET", "/v1/buildings/{id}/fund/entries"),
    ("GET", "/v1/buildings/{id}/fund/entries/export"), ("POST", "/v1/buildings/{id}/fund/incomes"),
    ("POST", "/v1/proposals/{id}/expenses"), ("GET", "/v1/proposals/{id}/expenses"), ("GET", "/v1/expenses/{id}"),
    ("POST", "/v1/expenses/{id}/approvals"), ("POST", "/v1/expenses/{id}/transitions"),
    ("POST", "/v1/expenses/{id}/objections"), ("GET", "/v1/expenses/{id}/objections"),
    # 看 / 问 and my feed (community.md §10); GET/PATCH /announcements/{id} and the withdrawal's
    # transitions route are additions (a single resource's read and change; the spec's
    # "withdrawn by its author or a leader")
    ("GET", "/v1/buildings/{id}/announcements"), ("POST", "/v1/buildings/{id}/announcements"),
    ("GET", "/v1/communities/{id}/announcements"), ("POST", "/v1/communities/{id}/announcements"),
    ("GET", "/v1/streets/announcements"), ("POST", "/v1/streets/announcements"),
    ("GET", "/v1/announcements/{id}"), ("PATCH", "/v1/announcements/{id}"),
    ("POST", "/v1/announcements/{id}/transitions"), ("PUT", "/v1/announcements/{id}/acknowledgement"),
    ("GET", "/v1/announcements/{id}/acknowledgements"),
    ("GET", "/v1/communities/{id}/questions"), ("POST", "/v1/communities/{id}/questions"),
    ("GET", "/v1/questions/{id}"), ("POST", "/v1/questions/{id}/answers"), ("GET", "/v1/questions/{id}/answers"),
    ("POST", "/v1/questions/{id}/transitions"),
    ("GET", "/v1/me/feed"),
}
