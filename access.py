"""Who may edit: the password throttle and the editors' sign-in tokens. Pure: no Streamlit, the
clock injected, safe to share between sessions (each object guards its state with a lock).

A password guess is compared only when both brakes allow it:

- per address: the first :data:`FREE_FAILURES` wrong passwords in a row cost nothing; the next
  locks the address for :data:`FIRST_LOCK_S`, and each further one doubles the lock, up to
  :data:`MAX_LOCK_S`. A right password clears the address's record.
- across the server: a token bucket of :data:`GLOBAL_BURST` guesses refilled at
  :data:`GLOBAL_RATE_PER_S` a second, shared by every session and address, so many sessions or
  many addresses together guess no faster. (The price: while someone keeps the bucket empty,
  editors wait their turn too; the notice says for how long.)

A refused guess is never compared and never counted. Nothing sleeps: a refusal returns at once
with the time to wait.

The address (:func:`client_address`) is the connection's peer unless the operator says how many
reverse proxies stand in front of the app (:data:`PROXIES_ENV`, e.g. ``MAP_TRUSTED_PROXIES=1``
behind one nginx). Behind a proxy that is not declared, every reader comes from the proxy's
address, so the per-address lock becomes one lock for everyone (the server-wide bucket still
holds); declare it, and have the proxy *append* the peer to ``X-Forwarded-For`` on the
WebSocket request (nginx: ``proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;``). A
declared proxy must be the only way in: bind the app to 127.0.0.1, or anyone reaching its port
directly can write ``X-Forwarded-For`` themselves. IPv6 addresses count by their /64 (one
customer's block), so an attacker cannot take a fresh address per guess.

A right password gives the browser a random token (:class:`TokenStore`); the server keeps only
its SHA-256, with an idle timeout (:data:`IDLE_TIMEOUT_S`) and an absolute lifetime
(:data:`LIFETIME_S`). The token lives in a cookie, so authorisation belongs to the browser that
holds it, never to a Streamlit session id (which shows in upload addresses and proxy logs). The
tokens live in the server's memory: a restart signs every editor out.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
import os
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

#: Wrong passwords in a row from one address that cost nothing (a typo or two).
FREE_FAILURES = 2
#: The first lock of an address; each further wrong password doubles it.
FIRST_LOCK_S = 4.0
#: The longest lock of an address.
MAX_LOCK_S = 15 * 60.0
#: An address's record is dropped this long after its last wrong password (its count starts again).
FORGET_AFTER_S = 24 * 3600.0
#: Addresses remembered at most (the oldest record goes first; the server-wide bucket still holds).
MAX_ADDRESSES = 10_000
#: Guesses a second across the whole server, and how many may come at once.
GLOBAL_RATE_PER_S = 2.0
GLOBAL_BURST = 6.0
#: An editor's sign-in ends after this long without a page run...
IDLE_TIMEOUT_S = 30 * 60.0
#: ...and this long after the password was given, whatever happens.
LIFETIME_S = 8 * 3600.0
#: Sign-ins kept at most (the oldest goes first).
MAX_TOKENS = 1000
#: Environment variable: how many reverse proxies in front of the app append to X-Forwarded-For.
PROXIES_ENV = "MAP_TRUSTED_PROXIES"
#: The key under which an address is counted when the connection shows none (a local peer).
LOCAL = "local"

Scope = Literal["address", "server"]
Clock = Callable[[], float]


@dataclass(frozen=True)
class Wait:
    """How long to wait before the next guess; ``scope`` says whose guesses were too many."""

    seconds: float
    scope: Scope


@dataclass
class _Record:
    failures: int
    locked_until: float
    last: float


class Throttle:
    """The per-address lock with a growing delay and the server-wide token bucket."""

    def __init__(
        self,
        *,
        clock: Clock = time.monotonic,
        free_failures: int = FREE_FAILURES,
        first_lock_s: float = FIRST_LOCK_S,
        max_lock_s: float = MAX_LOCK_S,
        rate_per_s: float = GLOBAL_RATE_PER_S,
        burst: float = GLOBAL_BURST,
        max_addresses: int = MAX_ADDRESSES,
    ) -> None:
        self._clock = clock
        self._free, self._first, self._max = free_failures, first_lock_s, max_lock_s
        self._rate, self._burst, self._max_addresses = rate_per_s, burst, max_addresses
        self._records: dict[str, _Record] = {}
        self._allowance, self._filled_at = burst, clock()
        self._lock = threading.Lock()

    def ask(self, address: str) -> Wait | None:
        """None when a guess from ``address`` may be compared now (it takes its place in the
        server-wide bucket); else how long to wait. A refused guess leaves no trace."""
        with self._lock:
            now = self._clock()
            record = self._current(address, now)
            if record is not None and record.locked_until > now:
                return Wait(record.locked_until - now, "address")
            self._allowance = min(self._burst, self._allowance + (now - self._filled_at) * self._rate)
            self._filled_at = now
            if self._allowance < 1:
                return Wait((1 - self._allowance) / self._rate, "server")
            self._allowance -= 1
            return None

    def failed(self, address: str) -> Wait | None:
        """Count a wrong password from ``address``; the lock it now has, if any."""
        with self._lock:
            now = self._clock()
            record = self._current(address, now) or self._new(address, now)
            record.failures += 1
            record.last = now
            if record.failures <= self._free:
                return None
            lock = min(self._max, self._first * 2.0 ** (record.failures - self._free - 1))
            record.locked_until = now + lock
            return Wait(lock, "address")

    def succeeded(self, address: str) -> None:
        """A right password from ``address``: its wrong ones are forgotten."""
        with self._lock:
            self._records.pop(address, None)

    def _current(self, address: str, now: float) -> _Record | None:
        record = self._records.get(address)
        if record is not None and now - record.last > FORGET_AFTER_S and record.locked_until <= now:
            del self._records[address]
            return None
        return record

    def _new(self, address: str, now: float) -> _Record:
        if len(self._records) >= self._max_addresses:
            stale = [a for a, r in self._records.items() if now - r.last > FORGET_AFTER_S and r.locked_until <= now]
            for a in stale:
                del self._records[a]
            if len(self._records) >= self._max_addresses:
                del self._records[min(self._records, key=lambda a: self._records[a].last)]
        record = self._records[address] = _Record(0, 0.0, now)
        return record


@dataclass
class _Grant:
    issued: float
    seen: float


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class TokenStore:
    """Sign-in tokens: the server keeps each one's SHA-256 with when it was issued and last used."""

    def __init__(
        self,
        *,
        clock: Clock = time.monotonic,
        idle_s: float = IDLE_TIMEOUT_S,
        lifetime_s: float = LIFETIME_S,
        max_tokens: int = MAX_TOKENS,
    ) -> None:
        self._clock, self._idle, self.lifetime_s, self._max = clock, idle_s, lifetime_s, max_tokens
        self._grants: dict[str, _Grant] = {}
        self._lock = threading.Lock()

    def issue(self) -> str:
        """A new random token (URL-safe, fit for a cookie); only its hash is kept."""
        token = secrets.token_urlsafe(32)
        with self._lock:
            now = self._clock()
            for key in [k for k, g in self._grants.items() if not self._live(g, now)]:
                del self._grants[key]
            if len(self._grants) >= self._max:
                del self._grants[min(self._grants, key=lambda k: self._grants[k].issued)]
            self._grants[_digest(token)] = _Grant(now, now)
        return token

    def valid(self, token: str | None) -> bool:
        """True when ``token`` was issued here, is not revoked and has not expired; a valid
        token's idle time starts again. An expired one is dropped."""
        if not token or len(token) > 256:
            return False
        key = _digest(token)
        with self._lock:
            now = self._clock()
            grant = self._grants.get(key)
            if grant is None:
                return False
            if not self._live(grant, now):
                del self._grants[key]
                return False
            grant.seen = now
            return True

    def revoke(self, token: str | None) -> None:
        """Forget ``token``: it admits no one from now on."""
        if token:
            with self._lock:
                self._grants.pop(_digest(token), None)

    def _live(self, grant: _Grant, now: float) -> bool:
        return now - grant.seen < self._idle and now - grant.issued < self.lifetime_s


@dataclass(frozen=True)
class Outcome:
    """What a password guess led to: a new token (admitted); a wait and ``compared`` False
    (refused unread); or a wrong password (``compared``; ``wait`` then says whether the address
    is now locked)."""

    token: str | None = None
    wait: Wait | None = None
    compared: bool = True


def sign_in(throttle: Throttle, tokens: TokenStore, address: str, matches: Callable[[], bool]) -> Outcome:
    """One password guess from ``address``: refused unread while a brake holds; else ``matches()``
    compares it, and a right one gets a new token."""
    if (wait := throttle.ask(address)) is not None:
        return Outcome(wait=wait, compared=False)
    if matches():
        throttle.succeeded(address)
        return Outcome(token=tokens.issue())
    return Outcome(wait=throttle.failed(address))


def trusted_proxies(environ: Mapping[str, str] = os.environ) -> int:
    """How many reverse proxies the operator declared in :data:`PROXIES_ENV` (0 when unset or
    not a whole number from 0 to 9)."""
    raw = environ.get(PROXIES_ENV, "").strip()
    return int(raw) if raw.isdigit() and int(raw) < 10 else 0


def client_address(peer: str | None, forwarded_for: list[str], proxies: int) -> str:
    """The address a guess is counted under.

    ``peer`` is the connection's peer (None for a local one); ``forwarded_for`` the values of the
    request's X-Forwarded-For headers, in order; ``proxies`` how many proxies the operator
    trusts. With none, the header is ignored (anyone can write it). With ``n``, the ``n``-th
    address from the right is the one the outermost trusted proxy saw; a header with fewer
    entries, or an entry that is not an address, falls back to the peer. IPv6 counts by its /64.
    """
    if proxies > 0:
        hops = [h.strip() for value in forwarded_for for h in value.split(",") if h.strip()]
        if len(hops) >= proxies and (key := _address_key(hops[-proxies])):
            return key
    return _address_key(peer) or LOCAL


def _address_key(text: str | None) -> str | None:
    try:
        ip = ipaddress.ip_address((text or "").strip())
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def refusal_text(wait: Wait) -> str:
    """The lock-out notice: whose guesses were too many, and how long to wait."""
    if wait.scope == "address":
        return f"Too many wrong passwords from your address: try again in {wait_text(wait.seconds)}."
    return f"Too many sign-in attempts on this server just now: try again in {wait_text(wait.seconds)}."


def wait_text(seconds: float) -> str:
    """A wait as a reader says it: whole seconds up to two minutes, then whole minutes (rounded up)."""
    whole = max(1, math.ceil(seconds))
    return f"{whole} s" if whole <= 120 else f"{math.ceil(whole / 60)} min"
