"""Files that passed the checks, kept while the rest of the form is put right.

When one file of an online application is refused (wrong type, too large) or a required material
is still missing, the files that passed are stored under MEDIA_ROOT/staging/ and listed on the
returned form, so that the applicant only chooses again what was refused; a browser cannot refill
a file input. Which staged files belong to whom lives in the applicant's session, so a token of
another session opens nothing. Staged files are removed once filed (or replaced by a new upload
for the same material)."""

import secrets

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

SESSION_KEY = "ow_staged_files"
MAX_STAGED = 40


def _entries(session) -> dict:
    return dict(session.get(SESSION_KEY) or {})


def stage(session, checked) -> list[dict]:
    """Keep the checked files [(code, file, data, ctype, ext)], one entry each; returns the new entries.
    The session is written only when there is something to keep."""
    if not checked:
        return []
    entries = _entries(session)
    new = []
    for code, f, data, ctype, ext in checked:
        if len(entries) >= MAX_STAGED:
            break
        token = secrets.token_hex(16)
        path = default_storage.save(f"staging/{token}.{ext}", ContentFile(data))
        entries[token] = {"code": code, "name": (getattr(f, "name", "") or f"{code}.{ext}")[-200:],
                          "ctype": ctype, "size": len(data), "path": path}
        new.append({"token": token, **entries[token]})
    session[SESSION_KEY] = entries
    return new


def kept(session, tokens, codes) -> list[dict]:
    """The session's staged entries among `tokens` for the materials `codes`, with their token."""
    entries = _entries(session)
    return [{"token": t, **entries[t]} for t in dict.fromkeys(tokens) if t in entries and entries[t]["code"] in codes]


def as_files(entries) -> dict:
    """{material code: [uploaded file]} read back from storage, for apply_online."""
    out: dict[str, list] = {}
    for e in entries:
        if not default_storage.exists(e["path"]):
            continue
        with default_storage.open(e["path"], "rb") as fh:
            out.setdefault(e["code"], []).append(SimpleUploadedFile(e["name"], fh.read(), content_type=e["ctype"]))
    return out


def discard(session, tokens) -> None:
    if not tokens:
        return
    entries = _entries(session)
    for t in tokens:
        e = entries.pop(t, None)
        if e is not None:
            default_storage.delete(e["path"])
    session[SESSION_KEY] = entries
