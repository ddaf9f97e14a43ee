"""Public tracking (查询办件进度) on its fast path: what a lookup shows is cached, and only failures count.

A lookup by number and query code:
1. reads, in one cache round trip, the client's and the number's failure counters and (on Redis)
   the cached answer for the number (per language);
2. answers 429 when the client made `ONEWINDOW_TRACK_FAILURES_PER_CLIENT` (20) wrong lookups in
   `ONEWINDOW_TRACK_WINDOW_SECONDS` (600), or the number drew `ONEWINDOW_TRACK_FAILURES_PER_NUMBER`
   (10) wrong codes in `ONEWINDOW_TRACK_NUMBER_LOCK_SECONDS` (3600): the number is locked for everyone
   for that long, so its six-character code cannot be guessed;
3. on a cached answer whose code digest matches, returns it with no database query and no write;
4. otherwise reads the case (portal.selectors.track) and caches the answer for
   `ONEWINDOW_TRACK_CACHE_SECONDS` (60), or counts a failure. A successful lookup writes nothing.
Every case write forgets the cached answers of its case and bundle after commit (`forget_case`, a
listener of cases.signals.case_written); the time limit bounds what a set-based change could leave stale.
The cache is Redis when ONEWINDOW_REDIS_URL is set, Django's database cache otherwise.
"""

import contextlib
import hashlib
import hmac

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from onewindow.core.errors import NotFound

from . import selectors
from .services import RateLimited

CLIENT_LIMITED = _("查询错误次数过多，请 10 分钟后再试")
NUMBER_LOCKED = _("该办件编号的查询码错误次数过多，已暂停查询 1 小时，请核对后再试")
COUNTER_SECONDS = 2 * 3600  # longer than any window: a counter outlives its bucket


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def _digest(code: str) -> str:
    return hashlib.sha256((code or "").strip().upper().encode()).hexdigest()


def _answer_key(number: str, language: str) -> str:
    return f"track:answer:{language}:{number}"


def _bucket(seconds: int) -> int:
    """Counters are kept per fixed window (`seconds` long), so a key never needs its time limit moved."""
    return int(timezone.now().timestamp()) // seconds


def _client_key(client: str) -> str:
    seconds = _setting("ONEWINDOW_TRACK_WINDOW_SECONDS", 600)
    return f"track:fail:client:{_bucket(seconds)}:{client[:64]}"


def _number_key(number: str) -> str:
    seconds = _setting("ONEWINDOW_TRACK_NUMBER_LOCK_SECONDS", 3600)
    return f"track:fail:number:{_bucket(seconds)}:{number}"


def _take(key: str) -> int:
    """Count one more lookup that reaches the database; returns the count. Atomic on Redis (INCR)."""
    cache.add(key, 0, COUNTER_SECONDS)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, COUNTER_SECONDS)
        return 1


def _give_back(*keys: str) -> None:
    for key in keys:
        with contextlib.suppress(ValueError):
            cache.decr(key)


def _in_memory_cache() -> bool:
    """Redis (or another in-memory cache), as opposed to Django's database cache, where caching an
    answer or holding a slot would be a database write on every lookup."""
    return not settings.CACHES["default"]["BACKEND"].endswith("DatabaseCache")


def lookup(number: str, code: str, client: str) -> dict:
    """The public progress of a case or bundle filing (see portal.selectors.track), or NotFound or
    RateLimited. On Redis a lookup that reaches the database holds a failure slot on its client and
    its number while it runs and gives them back when it succeeds, so concurrent wrong guesses cannot
    overshoot the limits (INCR is atomic), and the answer is cached. On the database cache failures
    are counted after the fact and nothing is cached: a successful lookup writes nothing."""
    number = (number or "").strip()[:32]
    client = client or "unknown"
    answer_key = _answer_key(number, get_language() or settings.LANGUAGE_CODE)
    client_key, number_key = _client_key(client), _number_key(number)
    per_client = _setting("ONEWINDOW_TRACK_FAILURES_PER_CLIENT", 20)
    per_number = _setting("ONEWINDOW_TRACK_FAILURES_PER_NUMBER", 10)
    found = cache.get_many([client_key, number_key, answer_key])
    if found.get(client_key, 0) >= per_client:
        raise RateLimited(str(CLIENT_LIMITED))
    if found.get(number_key, 0) >= per_number:
        raise RateLimited(str(NUMBER_LOCKED))
    cached = found.get(answer_key)
    if cached is not None and hmac.compare_digest(cached["digest"], _digest(code)):
        return cached["answer"]
    shared = _in_memory_cache()
    held = []
    if shared:  # hold the slots while the lookup runs (atomic INCR): concurrent guesses cannot overshoot
        held = [client_key, number_key] if number else [client_key]
        if _take(client_key) > per_client:
            raise RateLimited(str(CLIENT_LIMITED))
        if number and _take(number_key) > per_number:
            raise RateLimited(str(NUMBER_LOCKED))
    try:
        answer = selectors.track(number, code)
    except NotFound:
        if not shared:  # the database cache: count the failure after the fact, a success writes nothing
            _take(client_key)
            if number:
                _take(number_key)
        raise
    if shared:
        _give_back(*held)
        cache.set(answer_key, {"digest": _digest(code), "answer": answer},
                  _setting("ONEWINDOW_TRACK_CACHE_SECONDS", 60))
    return answer


def forget(*numbers: str | None) -> None:
    """Drop the cached answers of these case or bundle numbers now and again once the current
    transaction commits (an answer read in between from the old rows must not outlive the commit)."""
    keys = [_answer_key(n, lang) for n in numbers if n for lang, _name in settings.LANGUAGES]
    if keys and _in_memory_cache():
        cache.delete_many(keys)
        transaction.on_commit(lambda: cache.delete_many(keys))


def forget_case(sender, case, **kwargs) -> None:
    """cases.signals.case_written listener: the case's and its bundle's answers are stale."""
    forget(case.number, case.bundle_filing.number if case.bundle_filing_id else None)
