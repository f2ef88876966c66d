"""Each of the edge's middlewares (api/edge/) does its one job on its own, around a stand-in
app; tests/api/test_conventions.py checks them together, through the whole service."""

from __future__ import annotations

import json

from api.edge.method_override import method_override
from api.edge.options import answer_options
from api.edge.problem_answers import problem_answers
from api.edge.request_checks import request_checks
from api.edge.request_id import request_id


def scope(method="GET", path="/v1/things", headers=(), query=b""):
    return {"type": "http", "method": method, "path": path, "headers": list(headers), "query_string": query,
            "state": {"request_id": "req_test"}}


async def call(app, request):
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    await app(request, receive, send)
    return sent


def answering(status=200, headers=(), body=b"{}"):
    seen = []

    async def app(request, receive, send):
        seen.append(request)
        await send({"type": "http.response.start", "status": status, "headers": list(headers)})
        await send({"type": "http.response.body", "body": body})

    return app, seen


async def test_method_override_turns_a_post_into_patch_or_delete_only():
    app, seen = answering()
    for asked, method in ((b"patch", "PATCH"), (b"DELETE", "DELETE"), (b"PUT", "POST")):
        await call(method_override(app), scope("POST", headers=[(b"x-http-method-override", asked)]))
        assert seen[-1]["method"] == method
    await call(method_override(app), scope("GET", headers=[(b"x-http-method-override", b"DELETE")]))
    assert seen[-1]["method"] == "GET"


async def test_a_sane_request_id_is_echoed_and_another_replaced():
    app, seen = answering()
    sent = await call(request_id(app), scope(headers=[(b"x-request-id", b"abc-1")]))
    assert (b"x-request-id", b"abc-1") in sent[0]["headers"] and seen[-1]["state"]["request_id"] == "abc-1"
    sent = await call(request_id(app), scope(headers=[(b"x-request-id", b"bad id\n")]))
    assert seen[-1]["state"]["request_id"].startswith("req_")


async def test_request_checks_refuse_before_the_app_is_reached():
    app, seen = answering()
    checked = request_checks(app, lambda method, path: 10)
    assert (await call(checked, scope(query=b"a=%00")))[0]["status"] == 400
    assert (await call(checked, scope("POST", headers=[(b"content-length", b"11")])))[0]["status"] == 413
    assert seen == []
    assert (await call(checked, scope("POST", headers=[(b"content-length", b"10")])))[0]["status"] == 200


async def test_options_lists_every_method_of_the_path_and_leaves_preflights_alone():
    app, seen = answering()
    options = answer_options(app, lambda path: ["GET", "PATCH"] if path == "/v1/things" else None)
    sent = await call(options, scope("OPTIONS"))
    assert sent[0]["status"] == 204 and (b"allow", b"GET, OPTIONS, PATCH") in sent[0]["headers"]
    await call(options, scope("OPTIONS", headers=[(b"access-control-request-method", b"GET")]))
    await call(options, scope("OPTIONS", path="/nowhere"))
    assert len(seen) == 2


async def test_an_error_that_is_not_a_problem_becomes_one_keeping_only_what_still_holds():
    app, _ = answering(404, [(b"content-type", b"text/html"), (b"allow", b"GET"), (b"x-other", b"1")], b"<html>")
    sent = await call(problem_answers(app), scope())
    assert sent[0]["status"] == 404
    names = [name for name, _ in sent[0]["headers"]]
    assert b"allow" in names and b"x-other" not in names
    assert json.loads(sent[1]["body"])["code"] == "not_found" and len(sent) == 2
    fine, _ = answering(200, [(b"content-type", b"text/html")], b"<html>")
    assert (await call(problem_answers(fine), scope()))[1]["body"] == b"<html>"
