"""The editors' access (access.py): the password throttle, the sign-in tokens, the guess's address.
The clock is a number the test moves; nothing sleeps."""

from __future__ import annotations

import pytest

import access
from access import (
    LOCAL,
    Throttle,
    TokenStore,
    Wait,
    client_address,
    refusal_text,
    sign_in,
    trusted_proxies,
    wait_text,
)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def fail_times(throttle: Throttle, address: str, n: int) -> list[Wait | None]:
    return [throttle.failed(address) for _ in range(n)]


# ---------------------------------------------------------------- per address


def test_two_typos_are_free_then_each_wrong_password_doubles_the_lock(clock):
    throttle = Throttle(clock=clock)
    assert fail_times(throttle, "198.51.100.7", 2) == [None, None]
    assert throttle.ask("198.51.100.7") is None
    locks = []
    for _ in range(10):
        wait = throttle.failed("198.51.100.7")
        assert wait is not None and wait.scope == "address"
        locks.append(wait.seconds)
        clock.now += wait.seconds  # the editor waits the lock out, then guesses wrong again
    assert locks == [4, 8, 16, 32, 64, 128, 256, 512, 900, 900]  # capped at MAX_LOCK_S
    assert access.MAX_LOCK_S == 900


def test_a_locked_address_is_refused_with_the_time_left(clock):
    throttle = Throttle(clock=clock)
    fail_times(throttle, "198.51.100.7", 3)
    clock.now += 1.5
    assert throttle.ask("198.51.100.7") == Wait(2.5, "address")
    clock.now += 2.5
    assert throttle.ask("198.51.100.7") is None


def test_a_refused_guess_neither_counts_nor_extends_the_lock(clock):
    throttle = Throttle(clock=clock)
    fail_times(throttle, "198.51.100.7", 3)  # locked 4 s
    for _ in range(50):
        assert throttle.ask("198.51.100.7") == Wait(4, "address")
    clock.now += 4
    assert throttle.failed("198.51.100.7") == Wait(8, "address")  # the 4th wrong one, not the 54th


def test_other_addresses_are_not_locked(clock):
    throttle = Throttle(clock=clock)
    fail_times(throttle, "198.51.100.7", 5)
    assert throttle.ask("198.51.100.8") is None
    assert throttle.failed("198.51.100.8") is None


def test_a_right_password_clears_the_count(clock):
    throttle = Throttle(clock=clock)
    fail_times(throttle, "198.51.100.7", 2)
    throttle.succeeded("198.51.100.7")
    assert fail_times(throttle, "198.51.100.7", 2) == [None, None]


def test_the_count_is_forgotten_a_day_after_the_last_wrong_password(clock):
    throttle = Throttle(clock=clock)
    fail_times(throttle, "198.51.100.7", 3)
    clock.now += access.FORGET_AFTER_S - 1
    assert throttle.failed("198.51.100.7") == Wait(8, "address")  # still remembered
    clock.now += access.FORGET_AFTER_S + 1
    assert fail_times(throttle, "198.51.100.7", 2) == [None, None]


def test_memory_is_bounded_by_max_addresses_dropping_the_oldest(clock):
    throttle = Throttle(clock=clock, max_addresses=3)
    for i in range(3):
        fail_times(throttle, f"198.51.100.{i}", 3)
        clock.now += 1
    fail_times(throttle, "198.51.100.9", 1)  # a fourth address: the oldest record goes
    clock.now += 0.5
    assert throttle.ask("198.51.100.0") is None
    assert throttle.ask("198.51.100.2") == Wait(4 - 1.5, "address")


# ---------------------------------------------------------------- the whole server


def test_the_server_wide_bucket_holds_many_addresses_together(clock):
    throttle = Throttle(clock=clock)
    burst = int(access.GLOBAL_BURST)
    assert [throttle.ask(f"203.0.113.{i}") for i in range(burst)] == [None] * burst
    assert throttle.ask("203.0.113.200") == Wait(1 / access.GLOBAL_RATE_PER_S, "server")
    clock.now += 1 / access.GLOBAL_RATE_PER_S
    assert throttle.ask("203.0.113.200") is None
    assert throttle.ask("203.0.113.201") is not None


def test_forty_sessions_guessing_for_a_minute_get_the_bucket_rate(clock):
    # 40 sessions from 40 addresses, each trying every 1/40 s: 2400 tries in a minute
    throttle = Throttle(clock=clock)
    compared = 0
    for step in range(40 * 60):
        clock.now = 1000.0 + step / 40
        compared += throttle.ask(f"203.0.113.{step % 40}") is None
    assert compared <= access.GLOBAL_BURST + 60 * access.GLOBAL_RATE_PER_S


# ---------------------------------------------------------------- one guess


class Password:
    """A password check that records whether it was asked."""

    def __init__(self, right: bool) -> None:
        self.right, self.asked = right, 0

    def __call__(self) -> bool:
        self.asked += 1
        return self.right


def test_a_guess_while_locked_is_never_compared(clock):
    throttle, tokens = Throttle(clock=clock), TokenStore(clock=clock)
    fail_times(throttle, "198.51.100.7", 3)
    right = Password(True)
    outcome = sign_in(throttle, tokens, "198.51.100.7", right)
    assert right.asked == 0 and outcome.token is None and not outcome.compared
    assert outcome.wait == Wait(4, "address")


def test_a_guess_refused_by_the_server_bucket_is_never_compared(clock):
    throttle, tokens = Throttle(clock=clock, burst=1), TokenStore(clock=clock)
    sign_in(throttle, tokens, "203.0.113.1", Password(False))
    right = Password(True)
    outcome = sign_in(throttle, tokens, "203.0.113.2", right)
    assert right.asked == 0 and outcome.token is None and outcome.wait is not None
    assert outcome.wait.scope == "server"


def test_a_right_password_gets_a_token_and_a_wrong_one_says_when_it_locks(clock):
    throttle, tokens = Throttle(clock=clock), TokenStore(clock=clock)
    wrong = [sign_in(throttle, tokens, "198.51.100.7", Password(False)) for _ in range(3)]
    assert [o.wait for o in wrong] == [None, None, Wait(4, "address")] and all(o.compared for o in wrong)
    clock.now += 4
    outcome = sign_in(throttle, tokens, "198.51.100.7", Password(True))
    assert outcome.token and tokens.valid(outcome.token)
    assert throttle.failed("198.51.100.7") is None  # the count started again


# ---------------------------------------------------------------- tokens


def test_the_server_keeps_only_the_tokens_hash(clock):
    tokens = TokenStore(clock=clock)
    token = tokens.issue()
    assert len(token) >= 43 and token != tokens.issue()
    assert token not in repr(vars(tokens))
    assert tokens.valid(token)


@pytest.mark.parametrize("token", [None, "", "x", "A" * 43, "é" * 10, "A" * 5000])
def test_an_unknown_token_admits_no_one(clock, token):
    tokens = TokenStore(clock=clock)
    tokens.issue()
    assert not tokens.valid(token)


def test_idle_timeout_restarts_with_each_use(clock):
    tokens = TokenStore(clock=clock)
    token = tokens.issue()
    for _ in range(3):
        clock.now += access.IDLE_TIMEOUT_S - 1
        assert tokens.valid(token)
    clock.now += access.IDLE_TIMEOUT_S
    assert not tokens.valid(token)
    clock.now -= access.IDLE_TIMEOUT_S  # an expired token is gone, not merely refused
    assert not tokens.valid(token)


def test_absolute_lifetime_ends_even_a_busy_sign_in(clock):
    tokens = TokenStore(clock=clock)
    token = tokens.issue()
    start = clock.now
    for step in range(1, int(access.LIFETIME_S // 600)):  # used every 10 minutes
        clock.now = start + step * 600
        assert tokens.valid(token)
    clock.now = start + access.LIFETIME_S
    assert not tokens.valid(token)


def test_revoke_ends_one_sign_in_only(clock):
    tokens = TokenStore(clock=clock)
    mine, theirs = tokens.issue(), tokens.issue()
    tokens.revoke(mine)
    tokens.revoke(None)
    assert not tokens.valid(mine) and tokens.valid(theirs)


def test_sign_ins_are_bounded_dropping_the_oldest(clock):
    tokens = TokenStore(clock=clock, max_tokens=2)
    first = tokens.issue()
    clock.now += 1
    second = tokens.issue()
    clock.now += 1
    third = tokens.issue()
    assert [tokens.valid(t) for t in (first, second, third)] == [False, True, True]


# ---------------------------------------------------------------- the address


@pytest.mark.parametrize(
    "case,peer,forwarded,proxies,expected",
    [
        ("direct", "198.51.100.7", [], 0, "198.51.100.7"),
        ("local peer", None, [], 0, LOCAL),
        ("header ignored unless declared", "198.51.100.7", ["203.0.113.9"], 0, "198.51.100.7"),
        ("local proxy, header ignored", None, ["203.0.113.9"], 0, LOCAL),
        ("one proxy: the address it appended", None, ["10.0.0.1, 203.0.113.9"], 1, "203.0.113.9"),
        ("one proxy, a forged entry before it", None, ["203.0.113.66, 203.0.113.9"], 1, "203.0.113.9"),
        ("one proxy, two headers", None, ["203.0.113.66", "203.0.113.9"], 1, "203.0.113.9"),
        ("two proxies", None, ["203.0.113.66, 203.0.113.9, 10.0.0.2"], 2, "203.0.113.9"),
        ("fewer entries than proxies", "198.51.100.7", ["203.0.113.9"], 2, "198.51.100.7"),
        ("no header behind a proxy", None, [], 1, LOCAL),
        ("not an address", "198.51.100.7", ["unknown"], 1, "198.51.100.7"),
        ("an address with a port", "198.51.100.7", ["203.0.113.9:4711"], 1, "198.51.100.7"),
        ("IPv6 by its /64", "2001:db8:1:2:aaaa::1", [], 0, "2001:db8:1:2::/64"),
        ("IPv6 neighbour, same /64", "2001:db8:1:2:bbbb::9", [], 0, "2001:db8:1:2::/64"),
        ("IPv4-mapped IPv6", "::ffff:198.51.100.7", [], 0, "198.51.100.7"),
    ],
)
def test_client_address(case, peer, forwarded, proxies, expected):
    assert client_address(peer, forwarded, proxies) == expected


@pytest.mark.parametrize(
    "raw,expected",
    [(None, 0), ("", 0), ("0", 0), ("1", 1), (" 2 ", 2), ("-1", 0), ("one", 0), ("1.5", 0), ("10", 0)],
)
def test_trusted_proxies_is_a_small_whole_number_or_none(raw, expected):
    environ = {} if raw is None else {access.PROXIES_ENV: raw}
    assert trusted_proxies(environ) == expected


@pytest.mark.parametrize(
    "seconds,text", [(0.01, "1 s"), (1.0, "1 s"), (3.2, "4 s"), (120, "120 s"), (121, "3 min"), (900, "15 min")]
)
def test_wait_text(seconds, text):
    assert wait_text(seconds) == text


@pytest.mark.parametrize(
    "wait,text",
    [
        (Wait(3.2, "address"), "Too many wrong passwords from your address: try again in 4 s."),
        (Wait(900, "address"), "Too many wrong passwords from your address: try again in 15 min."),
        (Wait(0.4, "server"), "Too many sign-in attempts on this server just now: try again in 1 s."),
    ],
)
def test_the_lock_out_notice_says_whose_guesses_and_how_long_to_wait(wait, text):
    assert refusal_text(wait) == text
