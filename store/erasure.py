"""Erasure of the free text a person wrote (PIPL, ``DELETE /v1/me``): every column that holds
text of theirs, in one place, so that a new kind of text has one list to join. The rows stay —
past acts (a proposal that was voted on, a booking that held a room) remain, anonymous — and
the text becomes ``ERASED`` (an empty optional text stays empty, so nothing is invented)."""

from __future__ import annotations

import asyncpg

ERASED = "[已删除]"


def _erased(column: str, table: str = "") -> str:
    """Set ``column`` (of the UPDATE's ``table`` alias, in a join) to the marker unless it holds nothing."""
    value = f"{table}.{column}" if table else column
    return f"{column} = CASE WHEN {value} IS NULL OR {value} = '' THEN {value} ELSE $2 END"


# Each statement takes $1 = the person, $2 = the marker. Order matters once: a task made from
# a report copied the report's text by default, recognised only before the report is erased.
_STATEMENTS = (
    f"""UPDATE tasks t SET {_erased("title", "t")}, updated_at = clock_timestamp() FROM reports r
        WHERE t.source = 'report' AND t.source_id = r.id AND r.reporter_id = $1
          AND t.title = '[' || r.category || '] ' || left(r.description, 80)""",
    f"""UPDATE tasks t SET {_erased("description", "t")}, updated_at = clock_timestamp() FROM reports r
        WHERE t.source = 'report' AND t.source_id = r.id AND r.reporter_id = $1 AND t.description = r.description""",
    f"""UPDATE proposals p SET {_erased("reason", "p")}, updated_at = clock_timestamp()
        WHERE p.reason <> '' AND EXISTS (SELECT 1 FROM proposal_timeline t WHERE t.proposal_id = p.id
                                           AND t.actor_type = 'person' AND t.actor_id = $1 AND t.reason = p.reason)""",
    f"""UPDATE proposals SET {_erased("title")}, {_erased("description")}, updated_at = clock_timestamp()
        WHERE author_id = $1""",
    f"""UPDATE proposal_timeline SET {_erased("reason")}, updated_at = clock_timestamp()
        WHERE actor_type = 'person' AND actor_id = $1 AND reason <> ''""",
    f"UPDATE proposal_comments SET {_erased('body')}, updated_at = clock_timestamp() WHERE author_id = $1",
    f"UPDATE proposal_comments SET {_erased('hidden_reason')}, updated_at = clock_timestamp() WHERE hidden_by = $1",
    # A closed vote's result document names each option by its title.
    """UPDATE votes v SET updated_at = clock_timestamp(), result = jsonb_set(v.result, '{options}', (
            SELECT jsonb_agg(CASE WHEN o.item->>'option_id' IN (SELECT id FROM proposal_options WHERE created_by = $1)
                                  THEN jsonb_set(o.item, '{title}', to_jsonb($2::text)) ELSE o.item END ORDER BY o.n)
            FROM jsonb_array_elements(v.result->'options') WITH ORDINALITY AS o (item, n)))
        WHERE jsonb_typeof(v.result->'options') = 'array' AND v.subject_type = 'proposal'
          AND EXISTS (SELECT 1 FROM proposal_options x WHERE x.proposal_id = v.subject_id AND x.created_by = $1)""",
    f"""UPDATE proposal_options SET {_erased("title")}, {_erased("description")}, updated_at = clock_timestamp()
        WHERE created_by = $1""",
    f"UPDATE proposal_evaluations SET {_erased('text')} WHERE person_id = $1",
    f"""UPDATE reports SET {_erased("description")}, {_erased("location")}, {_erased("feedback_comment")},
               photo_urls = '[]', media_ids = '{{}}', updated_at = clock_timestamp() WHERE reporter_id = $1""",
    f"UPDATE reports SET {_erased('reason')}, updated_at = clock_timestamp() WHERE reason_by = $1",
    f"""UPDATE tasks SET {_erased("title")}, {_erased("description")}, updated_at = clock_timestamp(),
               checklist = (SELECT coalesce(jsonb_agg(jsonb_set(item, '{{text}}', to_jsonb($2::text))
                                                      ORDER BY n), '[]')
                            FROM jsonb_array_elements(checklist) WITH ORDINALITY AS items (item, n))
        WHERE created_by_type = 'person' AND created_by_id = $1""",
    f"UPDATE tasks SET {_erased('reason')}, updated_at = clock_timestamp() WHERE reason_by = $1",
    f"""UPDATE task_updates SET {_erased("note")}, photo_urls = '[]', media_ids = '{{}}',
               updated_at = clock_timestamp() WHERE author_type = 'person' AND author_id = $1""",
    f"UPDATE bookings SET {_erased('purpose')}, updated_at = clock_timestamp() WHERE person_id = $1",
    # The text of a document amendment the person proposed (an adopted version keeps its text:
    # it is the building's document now, not the person's).
    """UPDATE proposals SET amendment = jsonb_set(amendment, '{text}', to_jsonb($2::text)),
               updated_at = clock_timestamp()
        WHERE author_id = $1 AND amendment IS NOT NULL AND amendment->>'text' <> ''""",
    # Three lists and agreements: the needs a person raised, and the reasons they typed.
    f"""UPDATE needs SET {_erased("title")}, {_erased("description")}, updated_at = clock_timestamp()
        WHERE raised_by_type = 'person' AND raised_by_id = $1""",
    f"UPDATE needs SET {_erased('reason')}, updated_at = clock_timestamp() WHERE reason_by = $1",
    f"UPDATE agreements SET {_erased('reason')}, updated_at = clock_timestamp() WHERE reason_by = $1",
    f"UPDATE campaign_assessments SET {_erased('text')}, updated_at = clock_timestamp() WHERE author_id = $1",
    f"UPDATE campaign_issues SET {_erased('text')}, updated_at = clock_timestamp() WHERE author_id = $1",
    f"""UPDATE activities SET {_erased("title")}, {_erased("description")}, {_erased("location")},
               {_erased("cancel_reason")}, updated_at = clock_timestamp() WHERE created_by = $1""",
    f"UPDATE talent_invitations SET {_erased('message')}, updated_at = clock_timestamp() WHERE invited_by = $1",
    f"UPDATE fund_objections SET {_erased('reason')}, updated_at = clock_timestamp() WHERE person_id = $1",
    f"""UPDATE questions SET {_erased("title")}, {_erased("body")}, updated_at = clock_timestamp()
        WHERE asker_id = $1""",
    f"""UPDATE question_answers SET {_erased("body")}, updated_at = clock_timestamp()
        WHERE author_type = 'person' AND author_id = $1""",
)


async def erase_authored_text(conn: asyncpg.Connection, person_id: str) -> None:
    """In the caller's transaction (the erasure's)."""
    # The photos on the person's reports and progress notes go with their text: detached here
    # (before the statements below empty media_ids), then removed from storage by the worker's
    # orphan sweep (usecases/media_jobs.py), which alone talks to the storage.
    await conn.execute(
        """UPDATE media SET attached_at = NULL WHERE owner_id = $1 AND id IN (
               SELECT unnest(media_ids) FROM reports WHERE reporter_id = $1
               UNION ALL SELECT unnest(media_ids) FROM task_updates WHERE author_type = 'person' AND author_id = $1)""",
        person_id)
    for statement in _STATEMENTS:
        await conn.execute(statement, person_id, ERASED)
    # Stored answers to the person's idempotent requests (caller "client:person") would replay
    # their text to a still-valid access token.
    await conn.execute("DELETE FROM idempotency_keys WHERE right(caller, length($1) + 1) = ':' || $1", person_id)
    # Subscription messages not yet sent to them are dropped (their facts may quote text), and
    # their accepts with them.
    await conn.execute("""UPDATE notifications SET status = 'skipped', outcome = 'cancelled', facts = '{}',
                                 updated_at = clock_timestamp() WHERE person_id = $1 AND status = 'queued'""",
                       person_id)
    await conn.execute("DELETE FROM subscription_counts WHERE person_id = $1", person_id)
