"""`Verification`: the core's step-by-step machine driven by the host's own HTTP client.

Against the loopback fake GitHub with `requests` (docs/contract.md §3–§5 through the machine),
and on synthesized answers with fake monotonic readings (no network) for the deadline. Time is
injected everywhere here: the machine's `now` is a virtual clock that jumps to a wait's end, so
no test sleeps or depends on the machine's speed.
"""

from __future__ import annotations

import math
from typing import Callable, Dict, List, Optional, Tuple

import pytest
import requests

import pat_verdict
from conftest import FakeGithub, new_token
from pat_verdict import (
    DoneStep,
    HaltedStep,
    IdentityStep,
    SendStep,
    Step,
    Verdict,
    Verification,
    WaitStep,
)

WALL = 1_767_225_600.0
VALID_USER = b'{"id": 42, "login": "octocat"}'
VALID_VIEWER = b'{"data": {"viewer": {"login": "octocat"}}}'


class Run:
    """One verification driven with `requests` on a virtual monotonic clock."""

    def __init__(self, api_url: str, token: str, *, timeout: float = 12.0,
                 pin: Optional[str] = None) -> None:
        self.api_url = api_url
        self.now = 1000.0
        self.pin = pin
        self.machine = Verification(token, timeout=timeout, now=self.now)
        self.sent: List[Tuple[str, str]] = []
        self.waits: List[float] = []
        self.identities: List[IdentityStep] = []

    def finish(self) -> Step:
        step = self.machine.step
        while True:
            if isinstance(step, SendStep):
                self.sent.append((step.method, step.path))
                response = requests.request(step.method, step.url(self.api_url),
                                            headers=step.headers, data=step.body,
                                            timeout=step.timeout, allow_redirects=False)
                step = self.machine.receive(response.status_code, body=response.content,
                                            headers=response.headers, now=self.now, wall=WALL)
            elif isinstance(step, WaitStep):
                self.waits.append(step.seconds_from(self.now))
                self.now = step.until  # the virtual sleep
                step = self.machine.resume(now=self.now)
            elif isinstance(step, IdentityStep):
                self.identities.append(step)
                if self.pin is not None and step.github_id != self.pin:
                    step = self.machine.stop(f"pinned to {self.pin}")
                else:
                    step = self.machine.proceed(now=self.now)
            else:
                return step


def verdict_of(step: Step) -> Verdict:
    assert isinstance(step, DoneStep), step
    return step.verdict


# ---- against the fake GitHub, with requests ----


def test_valid_pat_two_requests(fake: FakeGithub, token: str) -> None:
    fake.valid(token, 583231, "octocat")
    run = Run(fake.url, token)
    verdict = verdict_of(run.finish())
    assert (verdict.kind, verdict.github_id, verdict.login) == ("valid", "583231", "octocat")
    assert verdict.stage is None and verdict.error is None
    assert verdict.requests == 2
    assert run.sent == [("GET", "/user"), ("POST", "/graphql")]
    assert [(i.github_id, i.login) for i in run.identities] == [("583231", "octocat")]
    assert (fake.count(token, "user"), fake.count(token, "graphql")) == (1, 1)
    assert run.machine.done is True


def test_the_same_verdict_as_verifier(fake: FakeGithub, token: str) -> None:
    fake.valid(token, 77, "seventy")
    assert verdict_of(Run(fake.url, token).finish()) == pat_verdict.Verifier(fake.url).verify(token)


def test_revoked_pat_is_invalid_at_identity_one_request(fake: FakeGithub) -> None:
    revoked = new_token()  # never scripted: the fake answers 401
    run = Run(fake.url, revoked)
    verdict = verdict_of(run.finish())
    assert (verdict.kind, verdict.stage, verdict.requests) == ("invalid", "identity", 1)
    assert verdict.transient_failure is False
    assert run.sent == [("GET", "/user")] and run.identities == []
    assert fake.count(revoked, "graphql") == 0


def test_a_503_is_retried_after_a_wait_then_valid(fake: FakeGithub, token: str) -> None:
    fake.valid(token, 5, "five")
    fake.script(token, "user", [{"status": 503},
                                {"status": 200, "json": {"id": 5, "login": "five"}}])
    run = Run(fake.url, token)
    verdict = verdict_of(run.finish())
    assert (verdict.kind, verdict.github_id, verdict.requests) == ("valid", "5", 3)
    assert run.waits == [pytest.approx(0.5)]  # the first backoff, from the core's policy
    assert run.sent == [("GET", "/user"), ("GET", "/user"), ("POST", "/graphql")]
    assert fake.count(token, "user") == 2


def test_the_seeds_outage_is_inconclusive_after_three_attempts(fake: FakeGithub,
                                                                token: str) -> None:
    fake.valid(token, 8, "eight")
    fake.script(token, "graphql", [{"status": 503}])
    run = Run(fake.url, token)
    verdict = verdict_of(run.finish())
    assert verdict.kind == "inconclusive" and verdict.transient_failure is True
    assert verdict.stage == "test_query"
    assert verdict.error == "GitHub GraphQL API returned 503"
    assert verdict.github_id == "8"  # the identity was learned before the outage
    assert fake.count(token, "graphql") == 3 and verdict.requests == 4
    assert run.waits == [pytest.approx(0.5), pytest.approx(1.0)]


def test_a_retry_after_beyond_the_deadline_ends_it_at_once(fake: FakeGithub,
                                                            token: str) -> None:
    fake.script(token, "user", [{"status": 429, "headers": {"Retry-After": "60"}}])
    run = Run(fake.url, token)
    verdict = verdict_of(run.finish())
    assert verdict.kind == "inconclusive" and verdict.rate_limited is True
    assert verdict.retry_after == 60.0 and verdict.stage == "identity"
    assert verdict.requests == 1 and run.waits == []
    assert fake.count(token, "user") == 1


def test_a_short_retry_after_is_waited_for(fake: FakeGithub, token: str) -> None:
    fake.valid(token, 3, "three")
    fake.script(token, "user", [{"status": 429, "headers": {"Retry-After": "2"}},
                                {"status": 200, "json": {"id": 3, "login": "three"}}])
    run = Run(fake.url, token)
    assert verdict_of(run.finish()).kind == "valid"
    assert run.waits == [pytest.approx(2.0)]  # Retry-After, longer than the 0.5 s backoff


def test_the_pin_stops_it_before_the_test_query(fake: FakeGithub, token: str) -> None:
    fake.valid(token, 9, "nine")
    run = Run(fake.url, token, pin="10")
    step = run.finish()
    assert isinstance(step, HaltedStep)
    assert (step.reason, step.github_id, step.login, step.requests) == ("pinned to 10", "9",
                                                                         "nine", 1)
    assert fake.count(token, "graphql") == 0
    assert run.machine.done is True and isinstance(run.machine.step, HaltedStep)
    with pytest.raises(RuntimeError, match="proceed"):
        run.machine.proceed(now=run.now)


def test_a_transport_error_is_inconclusive_and_retried() -> None:
    machine = Verification("ghp_transport", now=0.0)
    step = machine.receive(transport_error="reset", now=0.1, wall=WALL)
    assert isinstance(step, WaitStep)
    step = machine.resume(now=step.until)
    assert isinstance(step, SendStep) and step.endpoint == "identity"


# ---- on synthesized answers, no network ----


def test_the_requests_are_the_cores() -> None:
    machine = Verification("ghp_shape", now=0.0)
    step = machine.step
    assert isinstance(step, SendStep)
    assert (step.endpoint, step.method, step.path, step.body) == ("identity", "GET", "/user", None)
    assert step.headers == {"Authorization": "token ghp_shape",
                            "Accept": "application/vnd.github+json"}
    assert step.url() == "https://api.github.com/user"
    assert step.timeout == 12.0
    step = machine.receive(200, body=VALID_USER, now=0.2, wall=WALL)
    assert isinstance(step, IdentityStep) and (step.github_id, step.login) == ("42", "octocat")
    step = machine.proceed(now=0.3)
    assert isinstance(step, SendStep)
    assert (step.endpoint, step.method, step.path) == ("test_query", "POST", "/graphql")
    assert step.body == b'{"query": "{ viewer { login } }"}'
    assert step.headers["Authorization"] == "Bearer ghp_shape"
    assert step.headers["Content-Type"] == "application/json"
    assert step.timeout == pytest.approx(11.7)  # what is left of the one deadline
    # GitHub Enterprise Server: GraphQL is not under /api/v3.
    assert step.url("https://ghe.example.com/api/v3") == "https://ghe.example.com/api/graphql"
    assert step.url("http://127.0.0.1:8080") == "http://127.0.0.1:8080/graphql"
    with pytest.raises(ValueError, match="api_url"):
        step.url("ftp://example.com")
    verdict = verdict_of(machine.receive(200, body=VALID_VIEWER, now=0.4, wall=WALL))
    assert (verdict.kind, verdict.github_id, verdict.login, verdict.requests) == (
        "valid", "42", "octocat", 2)


def test_parsed_bodies_and_headers_as_the_classifiers_take_them() -> None:
    machine = Verification("ghp_parsed", now=0.0)
    step = machine.receive(200, body={"id": 7, "login": "seven"},
                           headers={"X-OAuth-Scopes": "repo, read:org"}, now=0.1, wall=WALL)
    assert isinstance(step, IdentityStep) and step.github_id == "7"
    machine.proceed(now=0.1)
    verdict = verdict_of(machine.receive(200, body={"data": {"viewer": None}}, now=0.2,
                                         wall=WALL))
    assert verdict.kind == "invalid" and verdict.stage == "test_query"
    assert verdict.scopes == ["repo", "read:org"] and verdict.github_id == "7"


def test_the_deadline_ends_it_while_waiting() -> None:
    machine = Verification("ghp_deadline", timeout=2.0, now=100.0)
    step = machine.receive(503, body=b"", now=100.1, wall=WALL)
    assert isinstance(step, WaitStep)
    assert step.until == pytest.approx(100.6)
    assert step.seconds_from(100.2) == pytest.approx(0.4)
    assert step.seconds_from(200.0) == 0.0
    verdict = verdict_of(machine.resume(now=102.0))  # woke up at the deadline
    assert verdict.kind == "inconclusive" and verdict.stage == "identity"
    assert verdict.error == "no verdict within the 2.0 s deadline"
    assert verdict.requests == 1


def test_the_deadline_shortens_each_request_and_stops_retries_that_cannot_fit() -> None:
    machine = Verification("ghp_deadline2", timeout=2.0, now=0.0)
    step = machine.receive(503, body=b"", now=0.1, wall=WALL)
    assert isinstance(step, WaitStep)
    step = machine.resume(now=step.until)
    assert isinstance(step, SendStep) and step.timeout == pytest.approx(1.4)
    # The next backoff (1 s) would end past the deadline: no third attempt.
    verdict = verdict_of(machine.receive(503, body=b"", now=1.5, wall=WALL))
    assert verdict.kind == "inconclusive" and verdict.requests == 2
    assert verdict.error == "GitHub /user API returned 503"


def test_the_deadline_spans_both_calls() -> None:
    machine = Verification("ghp_both", timeout=2.0, now=0.0)
    machine.receive(200, body=VALID_USER, now=1.0, wall=WALL)
    verdict = verdict_of(machine.proceed(now=2.5))
    assert verdict.kind == "inconclusive" and verdict.stage == "test_query"
    assert verdict.error == "no verdict within the 2.0 s deadline"
    assert verdict.github_id == "42" and verdict.requests == 1


def test_attempts_bound_the_retries() -> None:
    machine = Verification("ghp_once", attempts=1, now=0.0)
    verdict = verdict_of(machine.receive(503, body=b"", now=0.1, wall=WALL))
    assert verdict.kind == "inconclusive" and verdict.requests == 1


@pytest.mark.parametrize("token", ["", "   ", "ghp_é", "ghp_a b"])
def test_a_token_failing_the_pre_check_sends_nothing(token: str) -> None:
    machine = Verification(token, now=0.0)
    assert machine.done is True
    verdict = verdict_of(machine.step)
    assert (verdict.kind, verdict.stage, verdict.requests) == ("invalid", "token", 0)


# ---- misuse ----


def test_a_call_that_does_not_fit_raises_and_changes_nothing() -> None:
    machine = Verification("ghp_misuse", now=0.0)
    wrongs: List[Callable[[], object]] = [lambda: machine.resume(now=0.0),
                                          lambda: machine.proceed(now=0.0),
                                          lambda: machine.stop("no")]
    for wrong in wrongs:
        with pytest.raises(RuntimeError, match="SendStep"):
            wrong()
    assert isinstance(machine.step, SendStep)
    with pytest.raises(ValueError):
        machine.receive(200, transport_error="reset", now=0.0)
    with pytest.raises(ValueError):
        machine.receive(now=0.0)
    with pytest.raises(ValueError, match="now"):
        machine.receive(200, body=VALID_USER, now=-1.0)
    with pytest.raises(ValueError, match="now"):
        machine.receive(200, body=VALID_USER, now=math.nan)
    with pytest.raises(TypeError):
        machine.receive(200, body=object(), now=0.0)  # type: ignore[arg-type]
    assert isinstance(machine.step, SendStep)  # still waiting for its answer
    assert isinstance(machine.receive(200, body=VALID_USER, now=0.1, wall=WALL), IdentityStep)
    with pytest.raises(RuntimeError, match="IdentityStep"):
        machine.receive(200, body=VALID_VIEWER, now=0.2)
    machine.proceed(now=0.2)
    machine.receive(200, body=VALID_VIEWER, now=0.3, wall=WALL)
    afters: List[Callable[[], object]] = [lambda: machine.receive(200, body=VALID_VIEWER, now=0.4),
                                          lambda: machine.resume(now=0.4),
                                          lambda: machine.proceed(now=0.4),
                                          lambda: machine.stop("late")]
    for after in afters:
        with pytest.raises(RuntimeError, match="done"):
            after()
    assert verdict_of(machine.step).kind == "valid"


@pytest.mark.parametrize("kwargs", [{"timeout": 0.0}, {"timeout": math.inf},
                                    {"attempts": 0}, {"attempts": 4}, {"now": -0.5},
                                    {"now": math.inf}])
def test_bad_arguments_raise_value_error(kwargs: Dict[str, float]) -> None:
    with pytest.raises(ValueError):
        Verification("ghp_args", **kwargs)  # type: ignore[arg-type]


def test_now_defaults_to_time_monotonic() -> None:
    import time

    before = time.monotonic()
    machine = Verification("ghp_clock")
    step = machine.receive(503, body=b"")
    assert isinstance(step, WaitStep)
    assert before + 0.5 <= step.until <= time.monotonic() + 0.5


# ---- the token ----


def test_no_token_in_any_repr_str_or_exception(fake: FakeGithub) -> None:
    secret = new_token()
    fake.valid(secret, 12, "twelve")
    machine = Verification(secret, now=0.0)
    texts: List[str] = []
    step: Step = machine.step
    while True:
        texts += [repr(step), str(step), repr(machine), str(machine)]
        if isinstance(step, SendStep):
            assert secret in step.headers["Authorization"]  # the one place, by design
            assert "[REDACTED]" in repr(step) and "Authorization" in repr(step)
            wrongs: List[Callable[[], object]] = [lambda: machine.resume(now=0.0),
                                                  lambda: machine.stop("x")]
            for wrong in wrongs:
                with pytest.raises(RuntimeError) as error:
                    wrong()
                texts.append(str(error.value))
            response = requests.request(step.method, step.url(fake.url), headers=step.headers,
                                        data=step.body, timeout=step.timeout)
            step = machine.receive(response.status_code, body=response.content,
                                   headers=response.headers, now=0.1, wall=WALL)
        elif isinstance(step, IdentityStep):
            step = machine.proceed(now=0.1)
        else:
            break
    texts += [repr(verdict_of(step)), str(verdict_of(step).to_dict())]
    assert verdict_of(step).kind == "valid"
    for text in texts:
        assert secret not in text and secret[4:] not in text
