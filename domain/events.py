"""Event types, the type filters of the feed and of webhook endpoints, and who may read the
feed. A filter is a list of exact types (``task.created``) or resource wildcards
(``task.*``); an empty list matches every type."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.errors import Forbidden, InvalidInput
from domain.permissions import Principal

_TYPE = r"[a-z][a-z_]{0,39}\.(?:\*|[a-z][a-z_]{0,59})"
TYPE_PATTERN = re.compile(rf"^{_TYPE}$")
TYPE_LIST_PATTERN = rf"^{_TYPE}(?:,{_TYPE})*$"  # the feed's ?types=, comma-separated
MAX_FILTERS = 50  # per webhook endpoint


def parse_filters(values: list[str], field: str, limit: int | None = MAX_FILTERS) -> list[str]:
    """The distinct filters, in the given order; 400 for one that is not a type or wildcard."""
    if limit is not None and len(values) > limit:
        raise InvalidInput(field, "out_of_range", min=0, max=limit)
    seen: list[str] = []
    for value in values:
        if not TYPE_PATTERN.fullmatch(value):
            raise InvalidInput(field, "invalid_event_type")
        if value not in seen:
            seen.append(value)
    return seen


def matches(event_type: str, filters: list[str]) -> bool:
    """The rule the SQL of the feed and of the webhook fan-out implements (store/feed.py)."""
    if not filters:
        return True
    resource = event_type.split(".", 1)[0]
    return event_type in filters or f"{resource}.*" in filters


def can_read_events(principal: Principal) -> None:
    """The feed is for the street office's platform: a platform client with `street:read`
    (or `street:write`, which implies it)."""
    if principal.kind != "platform":
        raise Forbidden("not_allowed")
    if not principal.scopes & {"street:read", "street:write"}:
        raise Forbidden("insufficient_scope", {"scope": "street:read"})


# What an event's ``data`` may carry: ids, codes, statuses, numbers and times — never free
# text. Events are kept for weeks and pushed to every subscribed endpoint, while free text (a
# report's description with a neighbour's phone number, a booking's purpose, a comment) is
# personal data that must stay erasable in one place: consumers fetch the resource for it.
# ``without_free_text`` is applied by the outbox itself (store/events.py) to every payload, so
# a writer that forgets still leaks nothing; writers leave such fields out in the first place.
FREE_TEXT_KEYS = frozenset({
    "title", "description", "body", "comment", "feedback_comment", "text", "note", "notes", "purpose",
    "location", "photo_urls", "hidden_reason", "checklist", "name", "address", "compound_name",
    "unit_label", "nickname", "real_name", "phone", "display_name", "url",
})
# ``reason`` is kept only when it is one of the service's own codes (``vote_closed``,
# ``erased``…); a reason a person typed is free text.
_CODE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


def without_free_text(data: object) -> object:
    """``data`` with every free-text field removed, at any depth."""
    if isinstance(data, dict):
        return {key: without_free_text(value) for key, value in data.items()
                if key not in FREE_TEXT_KEYS
                and not (key == "reason" and value is not None and not (isinstance(value, str) and _CODE.match(value)))}
    if isinstance(data, list):
        return [without_free_text(item) for item in data]
    return data


@dataclass(frozen=True, slots=True)
class Event:
    """A committed change, as the feed and a webhook delivery carry it. ``position`` is its
    place in the feed (None until the relay numbers it)."""

    id: str
    type: str
    occurred_at: datetime
    street_id: str
    community_id: str | None
    building_id: str | None
    subject_type: str
    subject_id: str
    data: dict[str, Any]
    position: int | None


@dataclass(frozen=True, slots=True)
class Relayed:
    """An event the relay has just numbered, with one endpoint of its street that wants it
    (``endpoint_id`` None: no endpoint does)."""

    event_id: str
    street_id: str
    type: str
    position: int
    endpoint_id: str | None


# The event catalogue: every type the service appends, the subject it names and the fields of
# its ``data`` (JSON types; "place" is a snapshot object of the subject, "by" an actor
# {type, id}). The contract's ``webhooks:`` section is built from it (one typed payload per
# type) and tests/unit/test_event_catalogue.py holds it to the code that appends events.
@dataclass(frozen=True, slots=True)
class EventType:
    subject: str
    summary: str
    data: tuple[tuple[str, str], ...] = ()


_SNAPSHOT = "object"
_BY = "object"
_CHANGED = "array"


def _crud(kind: str, actions: tuple[str, ...], noun: str) -> dict[str, EventType]:
    return {f"{kind}.{action}": EventType(kind, f"A {noun} was {action.replace('_', ' ')}",
                                          ((kind, _SNAPSHOT),) + ((("changed", _CHANGED),) if action == "updated" else ()))
            for action in actions}


EVENT_TYPES: dict[str, EventType] = {
    **_crud("community", ("created", "updated"), "community"),
    **_crud("building", ("created", "updated"), "building"),
    **_crud("household", ("created", "updated"), "household"),
    **_crud("resident_invitation", ("created", "updated"), "resident invitation (by import; its phone number "
            "is never shown)"),
    "household.joined": EventType("household", "A person joined a household", (
        ("membership_id", "string"), ("household_id", "string"), ("person_id", "string"), ("role", "string"),
        ("head", "boolean"))),
    "household.left": EventType("household", "A person left a household (or was erased)", (
        ("membership_id", "string"), ("reason", "string"))),
    "role.granted": EventType("role", "A role was granted", (
        ("role", "string"), ("scope", "object"), ("person_id", "string"))),
    "role.revoked": EventType("role", "A role was revoked", (("role", "string"), ("reason", "string"))),
    "organization.created": EventType("organization", "An organisation was created", (("organization", _SNAPSHOT),)),
    **_crud("client", ("created", "updated", "disabled"), "client"),
    **_crud("space", ("created", "updated"), "space"),
    "space.calendar_token_rotated": EventType("space", "A space's calendar feed secret was rotated", (
        ("space_id", "string"),)),
    "booking.created": EventType("booking", "A booking was made", (("booking_id", "string"), ("booking", _SNAPSHOT))),
    "booking.status_changed": EventType("booking", "A booking moved (approved, rejected, cancelled, checked in…)", (
        ("booking_id", "string"), ("booking", _SNAPSHOT), ("previous_status", "string"))),
    "booking.household_suspended": EventType("household", "A household was suspended from booking after no-shows", (
        ("household_id", "string"), ("starts_at", "string"), ("ends_at", "string"))),
    "booking.suspension_ended": EventType("household", "A household's booking suspension ended", (
        ("household_id", "string"), ("starts_at", "string"), ("ends_at", "string"), ("due_at", "string"))),
    "proposal.created": EventType("proposal", "A proposal was raised", (
        ("proposal_id", "string"), ("category", "string"), ("stage", "string"), ("collect_until", "string"))),
    "proposal.updated": EventType("proposal", "A proposal was edited", (("proposal_id", "string"),
                                                                        ("changed", _CHANGED))),
    "proposal.stage_changed": EventType("proposal", "A proposal moved to another stage", (
        ("proposal_id", "string"), ("from", "string"), ("to", "string"), ("outcome", "string"), ("reason", "string"),
        ("by", _BY))),
    "proposal.supported": EventType("proposal", "A household supported a proposal", (
        ("proposal_id", "string"), ("household_id", "string"), ("support_count", "integer"))),
    "proposal.support_withdrawn": EventType("proposal", "A household withdrew its support", (
        ("proposal_id", "string"), ("household_id", "string"))),
    "proposal.option_added": EventType("proposal", "An option was added to a proposal's vote", (
        ("proposal_id", "string"), ("option_id", "string"))),
    "proposal.evaluated": EventType("proposal", "A household evaluated a carried-out proposal", (
        ("proposal_id", "string"), ("household_id", "string"), ("stars", "integer"))),
    "proposal.decided": EventType("proposal", "A proposal's vote closed and was tallied", (
        ("proposal_id", "string"), ("decision", "string"), ("winning_option_id", "string"), ("rule", "string"),
        ("turnout", "object"))),
    "ballot.cast": EventType("ballot", "A household cast or changed its ballot (never the choice)", (
        ("proposal_id", "string"), ("household_id", "string"), ("version", "integer"))),
    "comment.created": EventType("comment", "A comment was posted on a proposal", (
        ("proposal_id", "string"), ("comment_id", "string"), ("parent_id", "string"))),
    "comment.hidden": EventType("comment", "A comment was hidden by a leader", (
        ("proposal_id", "string"), ("comment_id", "string"))),
    "task.created": EventType("task", "A task was created", (
        ("task_id", "string"), ("source", "string"), ("source_id", "string"), ("priority", "string"),
        ("assignee", "object"), ("due_at", "string"))),
    "task.updated": EventType("task", "A task was edited", (("task_id", "string"), ("changed", _CHANGED))),
    "task.status_changed": EventType("task", "A task moved to another status", (
        ("task_id", "string"), ("from", "string"), ("to", "string"), ("rejected", "boolean"), ("by", _BY))),
    "task.progress_noted": EventType("task", "Progress was noted on a task", (("task_id", "string"),
                                                                              ("update_id", "string"))),
    "task.overdue": EventType("task", "A task passed its due time", (
        ("task_id", "string"), ("due_at", "string"), ("status", "string"))),
    "task.escalated": EventType("task", "An overdue task was escalated to the community or the street", (
        ("task_id", "string"), ("level", "string"), ("due_at", "string"), ("status", "string"))),
    "report.created": EventType("report", "A resident reported a problem", (
        ("report_id", "string"), ("category", "string"), ("urgency", "string"))),
    "report.urgent": EventType("report", "An urgent report, for the community and the street at once", (
        ("report_id", "string"), ("category", "string"), ("urgency", "string"))),
    "report.status_changed": EventType("report", "A report moved to another status", (
        ("report_id", "string"), ("from", "string"), ("to", "string"), ("reason", "string"), ("by", _BY))),
    "report.feedback_given": EventType("report", "The reporter rated the handling", (
        ("report_id", "string"), ("rating", "integer"))),
    **_crud("webhook_endpoint", ("created", "updated", "deleted", "secret_rotated", "disabled"), "webhook endpoint"),
    "webhook_delivery.retry_requested": EventType("webhook_delivery", "A delivery was sent again on request", (
        ("webhook_delivery", "object"),)),
    "import.completed": EventType("import", "A bulk import finished (succeeded, failed or cancelled), with its counts", (
        ("import_id", "string"), ("kind", "string"), ("status", "string"), ("rows_total", "integer"),
        ("rows_done", "integer"), ("created", "integer"), ("updated", "integer"), ("unchanged", "integer"),
        ("failed", "integer"))),
    **{f"points.{action}": EventType("transfer", summary, (
        ("transfer_id", "string"), ("person_id", "string"), ("delta", "integer"), ("reason", "string"),
        ("status", "string"), ("source", "object")))
       for action, summary in (("credited", "Points were credited to a person"),
                               ("debited", "Points were taken from a person"),
                               ("held", "Points were held for a redemption"),
                               ("hold_posted", "Held points were spent (the redemption was fulfilled)"),
                               ("hold_voided", "Held points were returned (the redemption ended unfulfilled)"))},
    "reward.created": EventType("reward", "A reward was offered", (
        ("reward_id", "string"), ("cost_points", "integer"), ("stock", "integer"))),
    "reward.updated": EventType("reward", "A reward was changed", (("reward_id", "string"), ("changed", _CHANGED))),
    "redemption.created": EventType("redemption", "A person redeemed a reward (a pending hold)", (
        ("redemption_id", "string"), ("reward_id", "string"), ("person_id", "string"), ("cost_points", "integer"),
        ("expires_at", "string"))),
    **{f"redemption.{to}": EventType("redemption", f"A redemption was {to}", (
        ("redemption_id", "string"), ("reward_id", "string"), ("person_id", "string"), ("from", "string"),
        ("to", "string"), ("by", "string")))
       for to in ("fulfilled", "cancelled", "expired")},
    "document.version_adopted": EventType("document_version", "A version of a building's document was put in force", (
        ("document_version_id", "string"), ("document", "string"), ("number", "integer"),
        ("adopted_by_proposal_id", "string"))),
    "document.filed": EventType("document_version", "A version of a building's document was filed with the street", (
        ("document_version_id", "string"), ("document", "string"), ("number", "integer"))),
    "document.amendment_lapsed": EventType("proposal", "An adopted amendment found its base no longer in force", (
        ("proposal_id", "string"), ("document", "string"), ("base_number", "integer"),
        ("number_in_force", "integer"))),
    "campaign.created": EventType("campaign", "A 最美楼栋 campaign was started", (
        ("campaign_id", "string"), ("status", "string"), ("nominate_until", "string"), ("assess_until", "string"),
        ("rate_until", "string"), ("winners", "integer"), ("prize_points", "integer"))),
    "campaign.updated": EventType("campaign", "A campaign was changed", (("campaign_id", "string"), ("changed", _CHANGED))),
    "campaign.phase_changed": EventType("campaign", "A campaign moved to its next phase", (
        ("campaign_id", "string"), ("from", "string"), ("to", "string"))),
    "campaign.nominated": EventType("campaign", "A building was nominated", (
        ("campaign_id", "string"), ("building_id", "string"), ("nomination_id", "string"))),
    "campaign.assessed": EventType("campaign", "A nominee recorded its self-assessment", (
        ("campaign_id", "string"), ("building_id", "string"), ("criteria", "array"))),
    "campaign.rectification_created": EventType("campaign", "A self-assessment issue became a rectification task", (
        ("campaign_id", "string"), ("building_id", "string"), ("issue_id", "string"), ("task_id", "string"))),
    "campaign.rater_added": EventType("campaign", "A rater was named", (
        ("campaign_id", "string"), ("rater_id", "string"), ("person_id", "string"), ("kind", "string"))),
    "campaign.rater_removed": EventType("campaign", "A rater was removed, with their score sheets", (
        ("campaign_id", "string"), ("rater_id", "string"), ("person_id", "string"))),
    "campaign.scored": EventType("campaign", "A rater scored a building (never who, never what)", (
        ("campaign_id", "string"), ("building_id", "string"))),
    "campaign.published": EventType("campaign", "A campaign's results were published and its prizes credited", (
        ("campaign_id", "string"), ("winners", "array"), ("buildings", "integer"), ("prizes_credited", "integer"))),
    **{f"activity.{action}": EventType("activity", f"An activity was {action}", (
        ("activity_id", "string"), ("status", "string"), ("from", "string")))
       for action in ("published", "cancelled", "finished")},
    "activity.created": EventType("activity", "An activity was planned (a draft)", (
        ("activity_id", "string"), ("status", "string"))),
    "activity.updated": EventType("activity", "An activity was changed", (
        ("activity_id", "string"), ("changed", _CHANGED), ("status", "string"))),
    "activity.attended": EventType("activity", "A participant's attendance was recorded (points credited once)", (
        ("activity_id", "string"), ("signup_id", "string"), ("person_id", "string"), ("points", "integer"),
        ("method", "string"))),
    **{f"activity_signup.{action}": EventType("activity_signup", f"A sign-up for an activity was {action}", (
        ("activity_signup_id", "string"), ("activity_id", "string"), ("person_id", "string"), ("status", "string"),
        ("companions", "integer"), ("position", "integer")) + ((("reason", "string"),) if action == "cancelled" else ()))
       for action in ("created", "cancelled", "promoted")},
    "talent_profile.updated": EventType("person", "A person changed their talents or their consent to show them", (
        ("person_id", "string"), ("visible", "boolean"), ("tags", "array"), ("consent_version", "string"))),
    "talent_invitation.created": EventType("talent_invitation", "A leader invited a talent to a task or activity", (
        ("talent_invitation_id", "string"), ("person_id", "string"), ("task_id", "string"),
        ("activity_id", "string"), ("status", "string"))),
    **{f"talent_invitation.{to}": EventType("talent_invitation", f"An invitation was {to}", (
        ("talent_invitation_id", "string"), ("person_id", "string"), ("task_id", "string"),
        ("activity_id", "string"), ("status", "string")))
       for to in ("accepted", "declined")},
    "street.settings_changed": EventType("street", "The street's settings were changed", (
        ("street_id", "string"), ("changed", _CHANGED))),
    # Three lists and co-building agreements (the community spec §14)
    "need.created": EventType("need", "A need was raised", (
        ("need_id", "string"), ("category", "string"), ("status", "string"))),
    "need.updated": EventType("need", "A need was changed", (("need_id", "string"), ("changed", _CHANGED))),
    "need.status_changed": EventType("need", "A need was matched to a project, let go, met or closed", (
        ("need_id", "string"), ("from", "string"), ("to", "string"), ("project_id", "string"),
        ("reason", "string"), ("by", _BY))),
    "resource.created": EventType("resource", "A partner organisation offered a resource", (
        ("resource_id", "string"), ("organization_id", "string"), ("kind", "string"), ("status", "string"))),
    "resource.updated": EventType("resource", "A resource was changed or withdrawn", (
        ("resource_id", "string"), ("changed", _CHANGED), ("status", "string"))),
    "project.created": EventType("project", "A project was started", (
        ("project_id", "string"), ("status", "string"), ("building_ids", "array"), ("resource_ids", "array"),
        ("organization_ids", "array"))),
    "project.updated": EventType("project", "A project was changed", (("project_id", "string"),
                                                                       ("changed", _CHANGED))),
    "project.status_changed": EventType("project", "A project became active or completed", (
        ("project_id", "string"), ("from", "string"), ("to", "string"), ("by", _BY))),
    "agreement.created": EventType("agreement", "A co-building agreement was drafted", (
        ("agreement_id", "string"), ("organization_id", "string"), ("status", "string"), ("starts_on", "string"),
        ("ends_on", "string"))),
    "agreement.updated": EventType("agreement", "A draft agreement was changed (its signatures cleared)", (
        ("agreement_id", "string"), ("changed", _CHANGED))),
    "agreement.signed": EventType("agreement", "A side signed an agreement", (
        ("agreement_id", "string"), ("side", "string"), ("person_id", "string"))),
    "agreement.status_changed": EventType("agreement", "An agreement was signed by both sides, became active, "
                                                       "expired or was terminated", (
        ("agreement_id", "string"), ("from", "string"), ("to", "string"), ("reason", "string"), ("by", _BY))),
    "agreement.expiring": EventType("agreement", "An agreement ends in 30 days (raised once)", (
        ("agreement_id", "string"), ("organization_id", "string"), ("ends_on", "string"), ("status", "string"))),
    **{f"{kind}.moderated": EventType(kind, f"A leader or the content check decided on a {kind}'s text", (
        (f"{kind}_id", "string"), ("moderation", "string")))
       for kind in ("proposal", "report", "comment")},
    # the self-governance fund (the community spec §13): amounts in fen, never a note or description
    "fund.income_recorded": EventType("fund", "An income was recorded in a fund", (
        ("fund_id", "string"), ("income_id", "string"), ("transfer_id", "string"), ("amount_fen", "integer"),
        ("source_kind", "string"), ("organization_id", "string"))),
    "fund.reserved": EventType("fund", "A proposal's budget was reserved as its vote opened", (
        ("fund_id", "string"), ("proposal_id", "string"), ("transfer_id", "string"), ("amount_fen", "integer"))),
    "fund.released": EventType("fund", "What a reservation still held went back to the fund", (
        ("fund_id", "string"), ("proposal_id", "string"), ("transfer_id", "string"), ("amount_fen", "integer"),
        ("reason", "string"))),
    "fund.expense_posted": EventType("fund", "An expense was paid out of its proposal's reservation", (
        ("fund_id", "string"), ("expense_id", "string"), ("proposal_id", "string"), ("transfer_id", "string"),
        ("amount_fen", "integer"))),
    "expense.submitted": EventType("expense", "An expense of a proposal's budget was claimed", (
        ("expense_id", "string"), ("proposal_id", "string"), ("amount_fen", "integer"), ("status", "string"),
        ("approvals_needed", "integer"), ("street_signoff_required", "boolean"))),
    "expense.approved": EventType("expense", "An approver approved an expense", (
        ("expense_id", "string"), ("proposal_id", "string"), ("by", _BY), ("street_signoff", "boolean"),
        ("approvals", "integer"), ("status", "string"))),
    "expense.publicity_started": EventType("expense", "An approved expense was made public for objections", (
        ("expense_id", "string"), ("proposal_id", "string"), ("publicity_until", "string"), ("status", "string"))),
    "expense.rejected": EventType("expense", "An expense was rejected (its reason is on the expense)", (
        ("expense_id", "string"), ("proposal_id", "string"), ("by", _BY), ("status", "string"))),
    "expense.posted": EventType("expense", "An expense was posted after its publicity period", (
        ("expense_id", "string"), ("proposal_id", "string"), ("transfer_id", "string"), ("status", "string"))),
    "expense.objected": EventType("expense", "A resident objected to an expense in publicity", (
        ("expense_id", "string"), ("proposal_id", "string"), ("objection_id", "string"), ("status", "string"))),
    "announcement.created": EventType("announcement", "An announcement was posted (published now or scheduled)", (
        ("announcement_id", "string"), ("scope", "string"), ("status", "string"), ("pinned", "boolean"),
        ("requires_acknowledgement", "boolean"))),
    "announcement.updated": EventType("announcement", "An announcement was changed", (
        ("announcement_id", "string"), ("changed", _CHANGED))),
    "announcement.published": EventType("announcement", "An announcement was published; its audience is frozen", (
        ("announcement_id", "string"), ("scope", "string"), ("status", "string"), ("households", "integer"),
        ("requires_acknowledgement", "boolean"))),
    "announcement.expired": EventType("announcement", "An announcement expired", (
        ("announcement_id", "string"), ("from", "string"), ("to", "string"))),
    "announcement.withdrawn": EventType("announcement", "An announcement was withdrawn", (
        ("announcement_id", "string"), ("from", "string"), ("to", "string"), ("by", _BY))),
    "announcement.acknowledged": EventType("announcement", "A household acknowledged an announcement (我已知晓)", (
        ("announcement_id", "string"), ("household_id", "string"), ("counted", "boolean"))),
    "question.created": EventType("question", "A question was asked", (
        ("question_id", "string"), ("public", "boolean"), ("status", "string"))),
    "question.answered": EventType("question", "Community staff answered a question", (
        ("question_id", "string"), ("answer_id", "string"), ("from", "string"), ("to", "string"))),
    "question.closed": EventType("question", "A question was closed (by its asker, accepting an answer, or staff)", (
        ("question_id", "string"), ("accepted_answer_id", "string"), ("from", "string"), ("to", "string"),
        ("by", _BY))),
}
