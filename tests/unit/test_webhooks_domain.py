"""The pure rules of webhooks, the feed's type filters and the test clock: the retry schedule,
attempt outcomes, Standard Webhooks signatures (checked against the `standardwebhooks`
package, an independent implementation), and which destinations production may call."""

from __future__ import annotations

import base64
import ipaddress
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from domain import webhooks as rules
from domain.clock import MAX_ADVANCE_SECONDS, business_now, check_advance
from domain.errors import InvalidInput
from domain.events import matches, parse_filters

T0 = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)
DAY = 86400
rands = st.floats(min_value=0, max_value=1, exclude_max=True)


# The schedule

def test_the_schedule_spans_about_three_days_and_never_shrinks():
    assert 2.5 * DAY <= sum(rules.RETRY_DELAYS) <= 3.2 * DAY
    assert list(rules.RETRY_DELAYS) == sorted(rules.RETRY_DELAYS)
    assert rules.RETRY_DELAYS[0] <= 10  # a blip is retried within seconds


@given(attempts=st.integers(min_value=-3, max_value=20), rand=rands)
def test_each_wait_is_its_step_within_the_jitter(attempts, rand):
    delay = rules.DELIVERY_BACKOFF.delay(attempts, rand)
    if not 1 <= attempts <= len(rules.RETRY_DELAYS):
        assert delay is None
        return
    base = rules.RETRY_DELAYS[attempts - 1]
    assert base * 0.8 - 1e-6 <= delay.total_seconds() <= base * 1.2 + 1e-6


@given(st.lists(rands, min_size=len(rules.RETRY_DELAYS) + 1, max_size=len(rules.RETRY_DELAYS) + 1))
def test_a_receiver_that_always_fails_gets_eleven_attempts_over_about_three_days(randomness):
    """Brute force: walk a delivery through `decide` until it stops."""
    now, attempts, first, times = T0, 0, T0, []
    status = rules.PENDING
    while status == rules.PENDING:
        times.append(now)
        attempts += 1
        decision = rules.decide(outcome=rules.FAILURE, attempts_made=attempts, now=now, first_attempt_at=first,
                                failing_since=first, rand=randomness[attempts - 1])
        status = decision.status
        if decision.next_attempt_at is not None:
            assert decision.next_attempt_at > now
            now = decision.next_attempt_at
    assert attempts == len(rules.RETRY_DELAYS) + 1
    assert status == rules.FAILED and decision.disable_reason == rules.REPEATED_FAILURE
    span = (times[-1] - times[0]).total_seconds()
    assert 0.8 * sum(rules.RETRY_DELAYS) <= span <= 1.2 * sum(rules.RETRY_DELAYS)
    assert times == sorted(times)


outcomes = st.sampled_from([rules.SUCCESS, rules.GONE, rules.FAILURE])


@given(outcome=outcomes, attempts=st.integers(min_value=1, max_value=15), rand=rands,
       streak=st.one_of(st.none(), st.integers(min_value=-5 * DAY, max_value=5 * DAY)))
def test_decide_against_a_reference(outcome, attempts, rand, streak):
    first = T0
    now = T0 + timedelta(days=3)
    failing_since = None if streak is None else first + timedelta(seconds=streak)
    decision = rules.decide(outcome=outcome, attempts_made=attempts, now=now, first_attempt_at=first,
                            failing_since=failing_since, rand=rand)
    # The reference, spelled out case by case.
    if outcome == rules.SUCCESS:
        expected = (rules.SUCCEEDED, False, None, None)
    elif outcome == rules.GONE:
        expected = (rules.FAILED, False, failing_since or now, rules.GONE)
    elif attempts <= len(rules.RETRY_DELAYS):
        expected = (rules.PENDING, True, failing_since or now, None)
    else:
        since = failing_since or now
        expected = (rules.FAILED, False, since, rules.REPEATED_FAILURE if since <= first else None)
    assert (decision.status, decision.next_attempt_at is not None, decision.failing_since,
            decision.disable_reason) == expected


@pytest.mark.parametrize(("status", "outcome"), [
    (200, rules.SUCCESS), (204, rules.SUCCESS), (299, rules.SUCCESS), (410, rules.GONE), (None, rules.FAILURE),
    (301, rules.FAILURE), (404, rules.FAILURE), (429, rules.FAILURE), (500, rules.FAILURE), (503, rules.FAILURE)])
def test_outcome_of_a_status(status, outcome):
    assert rules.outcome_of(status) == outcome


# Signatures

def test_a_new_secret_is_whsec_and_32_random_bytes():
    secret = rules.new_secret()
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"))) == 32
    assert secret != rules.new_secret()


@given(message_id=st.text(alphabet="abcdefghjkmnpqrstvwxyz0123456789_", min_size=1, max_size=30),
       timestamp=st.integers(min_value=0, max_value=2**33), body=st.text(max_size=500))
def test_signatures_match_the_standard_webhooks_package(message_id, timestamp, body):
    secret = rules.new_secret()
    ours = rules.signature(rules.secret_key(secret), message_id, timestamp, body.encode())
    theirs = Webhook(secret).sign(message_id, datetime.fromtimestamp(timestamp, UTC), body)
    assert ours == theirs


def test_during_an_overlap_either_secret_verifies():
    old, new = rules.new_secret(), rules.new_secret()
    body = b'{"id":"evt_1","type":"household.created"}'
    timestamp = int(datetime.now(UTC).timestamp())
    header = rules.signature_header([rules.secret_key(new), rules.secret_key(old)], "whd_1", timestamp, body)
    assert len(header.split(" ")) == 2
    headers = {"webhook-id": "whd_1", "webhook-timestamp": str(timestamp), "webhook-signature": header}
    for secret in (old, new):
        assert Webhook(secret).verify(body, headers)["id"] == "evt_1"
    with pytest.raises(WebhookVerificationError):
        Webhook(rules.new_secret()).verify(body, headers)


# Destinations

@pytest.mark.parametrize("address", [
    "127.0.0.1", "127.8.8.8", "::1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "fe80::1",
    "fc00::1", "fd12::1", "100.64.0.1", "0.0.0.0", "::", "224.0.0.1", "ff02::1", "::ffff:127.0.0.1",
    "::ffff:10.0.0.1", "64:ff9b::a00:1", "240.0.0.1"])
def test_internal_addresses_are_not_public(address):
    assert not rules.is_public(address)
    assert not rules.addresses_allowed("example.com", [address], rules.Allowlist())


@pytest.mark.parametrize("address", ["8.8.8.8", "1.1.1.1", "2001:4860:4860::8888", "::ffff:8.8.8.8"])
def test_public_addresses_are_allowed(address):
    assert rules.is_public(address)


@given(private=st.ip_addresses(network="10.0.0.0/8") | st.ip_addresses(network="192.168.0.0/16")
       | st.ip_addresses(network="127.0.0.0/8") | st.ip_addresses(network="fe80::/10"),
       public=st.sampled_from(["8.8.8.8", "2001:4860:4860::8888"]))
def test_one_internal_answer_among_public_ones_is_refused(private, public):
    """A rebinding name answers with a public and an internal address: refuse it."""
    assert not rules.addresses_allowed("rebind.example", [public, str(private)], rules.Allowlist())
    allowlist = rules.Allowlist.parse([str(ipaddress.ip_network(f"{private}/{private.max_prefixlen}"))])
    assert rules.addresses_allowed("rebind.example", [public, str(private)], allowlist)


def test_the_allowlist_takes_networks_and_host_names():
    allowlist = rules.Allowlist.parse(["10.20.0.0/16", " intranet.gov.cn ", "192.168.1.5"])
    assert allowlist.allows_address("10.20.3.4") and allowlist.allows_address("::ffff:10.20.3.4")
    assert not allowlist.allows_address("10.21.0.1")
    assert allowlist.allows_address("192.168.1.5") and not allowlist.allows_address("192.168.1.6")
    assert allowlist.allows_host("INTRANET.gov.cn.") and not allowlist.allows_host("evil.intranet.gov.cn")
    with pytest.raises(ValueError):
        rules.Allowlist.parse(["not a host"])


def test_destination_problems():
    none = rules.Allowlist()
    intranet = rules.Allowlist.parse(["10.0.0.0/8", "hooks.intranet"])
    assert rules.destination_problem("https", "a.example", ["8.8.8.8"], none) is None
    assert rules.destination_problem("http", "a.example", ["8.8.8.8"], none) == "https_required"
    assert rules.destination_problem("https", "a.example", [], none) == "unresolvable"
    assert rules.destination_problem("https", "a.example", ["10.1.1.1"], none) == "private_address"
    assert rules.destination_problem("http", "a.example", ["10.1.1.1"], intranet) is None
    assert rules.destination_problem("http", "hooks.intranet", [], intranet) is None


@pytest.mark.parametrize("url", ["ftp://a.example/x", "https://user:pw@a.example/", "//a.example/x", "a.example",
                                 "https://a.example/#frag", "https://a.example:99999/", "https:///x",
                                 "https://a.example/ x", "https://" + "a" * 2050 + ".example/",
                                 "https://a.example/x\n", "https://[::1]/", "https://a_b.example/"])
def test_urls_that_are_refused(url):
    with pytest.raises(InvalidInput):
        rules.parse_url(url)


@given(st.from_regex(rules.URL_PATTERN, fullmatch=True).filter(lambda u: len(u) <= rules.MAX_URL_LENGTH))
def test_every_url_the_published_pattern_allows_is_accepted(url):
    """The schema's pattern and the check are one rule: a client that validates against the
    contract is never refused (the contract fuzzer checks the other direction)."""
    scheme, host = rules.parse_url(url)
    assert scheme in ("http", "https") and host


def test_urls_that_are_accepted():
    assert rules.parse_url("https://Platform.Example.gov.cn:8443/hooks?x=1") == ("https", "platform.example.gov.cn")
    assert rules.parse_url("http://127.0.0.1:9000/") == ("http", "127.0.0.1")


# Type filters

event_types = st.from_regex(r"^[a-z]{1,8}\.[a-z_]{1,10}$", fullmatch=True)


@given(event_type=event_types, exact=st.lists(event_types, max_size=4), wildcard=st.lists(
    st.from_regex(r"^[a-z]{1,8}$", fullmatch=True), max_size=3))
def test_type_filters_against_a_reference(event_type, exact, wildcard):
    filters = exact + [f"{resource}.*" for resource in wildcard]
    expected = (not filters or event_type in exact or event_type.split(".")[0] in wildcard)
    assert matches(event_type, filters) == expected


def test_filters_are_checked_and_deduplicated():
    assert parse_filters(["task.*", "task.created", "task.*"], "q") == ["task.*", "task.created"]
    for bad in (["task"], ["*"], ["Task.created"], ["task.*.x"], ["task.created "], ["a" * 50 + ".x"]):
        with pytest.raises(InvalidInput):
            parse_filters(bad, "q")
    with pytest.raises(InvalidInput):
        parse_filters([f"t.a{i}" for i in range(51)], "q")


# The test clock

def test_the_clock_only_moves_forward_within_bounds():
    assert business_now(T0, 90) == T0 + timedelta(seconds=90)
    assert check_advance(1) == 1 and check_advance(MAX_ADVANCE_SECONDS) == MAX_ADVANCE_SECONDS
    for bad in (0, -5, MAX_ADVANCE_SECONDS + 1):
        with pytest.raises(InvalidInput):
            check_advance(bad)
