"""Public tracking (查询办件进度) on its fast path: what a lookup shows is cached as the response bytes,
and only failures count.

On Redis (ONEWINDOW_REDIS_URL) a lookup by number and query code takes:
1. one round trip, a Lua script (CHECK, atomic): 429 when the client made
   `ONEWINDOW_TRACK_FAILURES_PER_CLIENT` (20) wrong lookups in `ONEWINDOW_TRACK_WINDOW_SECONDS` (600), or
   the number drew `ONEWINDOW_TRACK_FAILURES_PER_NUMBER` (10) wrong codes in
   `ONEWINDOW_TRACK_NUMBER_LOCK_SECONDS` (3600) (the number is then locked for everyone for that long,
   so its six-character code cannot be guessed); else the cached answer when its code digest matches;
   else it holds a slot on the client and on the number for the database read. Failures and holds are
   counted apart, and a slot is held only while failures plus holds stay below the limit, so
   concurrent wrong guesses cannot overshoot it; a lookup that finds the slots all held waits for
   them (`BUSY_WAIT`), so that concurrent right lookups of one number are not refused;
2. on a cached answer: nothing more. No query, no write;
3. otherwise one SQL statement (portal.progress) and one more round trip: on success SETTLE gives the
   holds back and caches the answer's JSON bytes for `ONEWINDOW_TRACK_CACHE_SECONDS` (60), unless a
   case write marked it stale since; on NotFound FAIL turns the holds into failures.
On Django's database cache (no Redis) failures are counted after the fact and nothing is cached:
caching or holding would be a database write on every lookup.

Every case write marks the cached answers of its case and bundle stale when it commits (`forget_case`,
a listener of cases.signals.case_written): the answer key then holds a fresh mark, and a lookup that
read the old rows before the commit cannot store its answer over it (the store is a compare-and-set
on what its check saw). The time limit bounds what a set-based change without the signal could leave
stale.
"""

import functools
import hashlib
import json
import secrets
import time

from django.conf import settings
from django.core.cache import cache, caches
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from onewindow.core.errors import NotFound
from onewindow.core.rediscache import raw_client

from . import progress
from .services import RateLimited

CLIENT_LIMITED = _("查询错误次数过多，请 10 分钟后再试")
NUMBER_LOCKED = _("该办件编号的查询码错误次数过多，已暂停查询 1 小时，请核对后再试")
COUNTER_SECONDS = 2 * 3600  # longer than any window: a counter outlives its bucket
STALE = "-"  # a case write leaves STALE + a fresh token in the answer key (never a digest's first character)
DIGEST_LEN, ETAG_LEN = 64, 32  # a cached answer: code digest, entity tag, then the JSON bytes

HOLD_SECONDS = 60  # a hold left by a process that died mid-lookup lapses after this
BUSY_WAIT, BUSY_TRIES = 0.01, 50  # a lookup that finds every slot held waits for them, 0.5 s at most

# KEYS: client failures, number failures, answer, client holds, number holds. ARGV: client limit,
# number limit, code digest, counter seconds, 1 when the number is held too, hold seconds.
# Returns {1} client limited, {2} number locked (failures alone reach the limit), {0, value} the cached
# answer, {4} busy (failures and lookups in flight reach a limit: wait), or {3, mark}: a slot held on
# the client and the number, read the database. mark: what the answer key held (a write's stale mark,
# or '' for nothing), which SETTLE expects to find still.
CHECK = """
local cf = tonumber(redis.call('GET', KEYS[1]) or '0')
if cf >= tonumber(ARGV[1]) then return {1} end
local nf = tonumber(redis.call('GET', KEYS[2]) or '0')
if nf >= tonumber(ARGV[2]) then return {2} end
local answer = redis.call('GET', KEYS[3])
if answer and string.sub(answer, 1, 64) == ARGV[3] then return {0, answer} end
if cf + tonumber(redis.call('GET', KEYS[4]) or '0') >= tonumber(ARGV[1]) then return {4} end
if ARGV[5] == '1' and nf + tonumber(redis.call('GET', KEYS[5]) or '0') >= tonumber(ARGV[2]) then return {4} end
redis.call('INCR', KEYS[4])
redis.call('EXPIRE', KEYS[4], ARGV[6])
if ARGV[5] == '1' then
  redis.call('INCR', KEYS[5])
  redis.call('EXPIRE', KEYS[5], ARGV[6])
end
if answer and string.sub(answer, 1, 1) == '-' then return {3, answer} end
return {3, ''}
"""
# Giving the holds back (a hold that lapsed meanwhile is not left below zero). KEYS[1..2]: the holds.
RELEASE = """
for i = 1, (ARGV[1] == '1' and 2 or 1) do
  if redis.call('DECR', KEYS[i]) <= 0 then redis.call('DEL', KEYS[i]) end
end
"""
# Success. KEYS: client holds, number holds, answer. ARGV: 1 when the number was held, the value to
# cache, its seconds, the mark CHECK saw. Gives the holds back and caches the answer only if the answer
# key still holds what CHECK saw: a write that committed since left a new mark, and an answer read
# before it is not kept.
SETTLE = RELEASE + """
local now = redis.call('GET', KEYS[3])
if (now == false and ARGV[4] == '') or now == ARGV[4] then
  redis.call('SET', KEYS[3], ARGV[2], 'EX', ARGV[3])
end
return 1
"""
# Failure. KEYS: client holds, number holds, client failures, number failures. ARGV: 1 when the number
# was held, counter seconds. The holds become failures in one step: failures plus holds never grow.
FAIL = RELEASE + """
if redis.call('INCR', KEYS[3]) == 1 then redis.call('EXPIRE', KEYS[3], ARGV[2]) end
if ARGV[1] == '1' and redis.call('INCR', KEYS[4]) == 1 then redis.call('EXPIRE', KEYS[4], ARGV[2]) end
return 1
"""
_scripts: dict = {}


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


@functools.cache
def _digest_key(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


def _digest(code: str) -> str:
    """The code's digest kept beside a cached answer, keyed with the secret key (64 hex characters)."""
    key = _digest_key(settings.SECRET_KEY)
    return hashlib.blake2b((code or "").strip().upper().encode(), key=key, digest_size=32).hexdigest()


def _answer_key(number: str, language: str) -> str:
    """v2: raw bytes (digest, entity tag, JSON), not the pickled dict of ADR 0191's keys, which a process
    of the previous release would fail to read during a rolling deploy."""
    return f"track:answer:v2:{language}:{number}"


def _bucket(seconds: int) -> int:
    """Counters are kept per fixed window (`seconds` long), so a key never needs its time limit moved."""
    return int(timezone.now().timestamp()) // seconds


def _client_key(client: str) -> str:
    seconds = _setting("ONEWINDOW_TRACK_WINDOW_SECONDS", 600)
    return f"track:fail:client:{_bucket(seconds)}:{client[:64]}"


def _number_key(number: str) -> str:
    seconds = _setting("ONEWINDOW_TRACK_NUMBER_LOCK_SECONDS", 3600)
    return f"track:fail:number:{_bucket(seconds)}:{number}"


def serialise(answer: dict) -> tuple[bytes, str]:
    """The answer as the API sends it, and its entity tag. portal.progress builds the answer in
    TrackOut's shape, field order and types, so these are the bytes django-ninja would render after
    validating it (test_tracking_answer compares them, answer by answer): not validated again here."""
    body = json.dumps(answer).encode()
    return body, hashlib.blake2b(body, digest_size=ETAG_LEN // 2).hexdigest()


def _script(client, name: str, source: str):
    found = _scripts.get((id(client), name))
    if found is None:
        found = _scripts.setdefault((id(client), name), client.register_script(source))
    return found


def _limited(which: int) -> RateLimited:
    """1: the client's failures; 2: the number's; 4: still busy after waiting (lookups in flight and
    failures together at the client's or the number's limit)."""
    return RateLimited(str(NUMBER_LOCKED if which == 2 else CLIENT_LIMITED))


def lookup_json(number: str, code: str, client: str) -> tuple[bytes, str]:
    """The public progress of a case or bundle filing as the API's JSON bytes and their entity tag
    (portal.progress), or NotFound or RateLimited. A successful lookup writes nothing to the database."""
    number = (number or "").strip()[:32]
    client = client or "unknown"
    per_client = _setting("ONEWINDOW_TRACK_FAILURES_PER_CLIENT", 20)
    per_number = _setting("ONEWINDOW_TRACK_FAILURES_PER_NUMBER", 10)
    keys = [_client_key(client), _number_key(number), _answer_key(number, get_language() or settings.LANGUAGE_CODE)]
    redis = raw_client(caches["default"])
    if redis is None:
        return _lookup_on_database_cache(number, code, keys, per_client, per_number)
    failures_c, failures_n, answer_key = (cache.make_key(k) for k in keys)
    holds = [cache.make_key(f"track:hold:client:{client[:64]}"), cache.make_key(f"track:hold:number:{number}")]
    digest, hold = _digest(code), "1" if number else "0"
    check = _script(redis, "check", CHECK)
    args = [per_client, per_number, digest, COUNTER_SECONDS, hold, HOLD_SECONDS]
    for _try in range(BUSY_TRIES):
        found = check(keys=[failures_c, failures_n, answer_key, *holds], args=args)
        if found[0] != 4:
            break
        time.sleep(BUSY_WAIT)  # as many lookups in flight as wrong ones may still be made: wait for them
    if found[0] == 0:
        value = found[1]
        return value[DIGEST_LEN + ETAG_LEN:], value[DIGEST_LEN:DIGEST_LEN + ETAG_LEN].decode()
    if found[0] != 3:
        raise _limited(found[0])
    try:
        body, etag = serialise(progress.track(number, code))
    except NotFound:
        _script(redis, "fail", FAIL)(keys=[*holds, failures_c, failures_n], args=[hold, COUNTER_SECONDS])
        raise
    except BaseException:
        _script(redis, "release", RELEASE)(keys=holds, args=[hold])
        raise
    value = digest.encode() + etag.encode() + body
    _script(redis, "settle", SETTLE)(keys=[*holds, answer_key],
                                     args=[hold, value, _setting("ONEWINDOW_TRACK_CACHE_SECONDS", 60), found[1]])
    return body, etag


def _lookup_on_database_cache(number, code, keys, per_client, per_number) -> tuple[bytes, str]:
    client_key, number_key, _answer = keys
    found = cache.get_many([client_key, number_key])
    if found.get(client_key, 0) >= per_client:
        raise _limited(1)
    if found.get(number_key, 0) >= per_number:
        raise _limited(2)
    try:
        return serialise(progress.track(number, code))
    except NotFound:
        _count(client_key)
        if number:
            _count(number_key)
        raise


def _count(key: str) -> None:
    cache.add(key, 0, COUNTER_SECONDS)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, COUNTER_SECONDS)


def lookup(number: str, code: str, client: str) -> dict:
    """The same answer as a dict (the /track/ page)."""
    return json.loads(lookup_json(number, code, client)[0])


def forget(*numbers: str | None) -> None:
    """Mark the cached answers of these case or bundle numbers stale once the current transaction
    commits, for the cache time: a lookup that read the old rows cannot cache them over the mark."""
    redis = raw_client(caches["default"])
    keys = [cache.make_key(_answer_key(n, lang)) for n in numbers if n for lang, _name in settings.LANGUAGES]
    if keys and redis is not None:
        seconds = _setting("ONEWINDOW_TRACK_CACHE_SECONDS", 60)

        def mark():
            with redis.pipeline(transaction=False) as pipe:
                for key in keys:
                    pipe.set(key, STALE + secrets.token_hex(8), ex=seconds)
                pipe.execute()

        transaction.on_commit(mark)


def forget_case(sender, case, **kwargs) -> None:
    """cases.signals.case_written listener: the case's and its bundle's answers are stale."""
    forget(case.number, case.bundle_filing.number if case.bundle_filing_id else None)
