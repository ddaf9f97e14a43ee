"""Back up and restore a deployment: the database, the uploaded files and the audit checkpoints.

A backup folder holds `database.dump` (pg_dump's custom format) or `database.sqlite3` (SQLite's
online backup API: consistent while the platform runs), `media/` (MEDIA_ROOT), `audit/` (the audit
checkpoints kept outside the database, so that a restored chain still verifies against them) and
`manifest.json` (when, which database, the audit head, each file's SHA-256). Restoring replaces all
three; the audit chain is then as it was at the backup, and its checkpoints with it.
"""

import datetime
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.conf import settings
from django.db import connections

from onewindow.core.errors import ServiceError

MANIFEST = "manifest.json"


def _checkpoint_dir() -> Path:
    return Path(getattr(settings, "ONEWINDOW_AUDIT_CHECKPOINT_DIR", settings.VAR_DIR / "audit"))


def _pg_env_and_args(db: dict) -> tuple[dict, list[str]]:
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    args = ["-h", db.get("HOST") or "127.0.0.1", "-p", str(db.get("PORT") or 5432), "-U", db.get("USER") or "postgres"]
    return env, args


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _audit_head() -> dict:
    from onewindow.audit.models import AuditHead
    from onewindow.audit.services import seal

    seal()  # what is committed joins the chain first, so the manifest names the head of everything backed up
    head = AuditHead.objects.filter(id=1).first()
    return {"seq": head.last_seq if head else 0, "hash": head.last_hash if head else ""}


def back_up(target: Path, progress=None) -> dict:
    """Write a backup into `target` (created; must be empty). Returns the manifest."""
    target = Path(target)
    if target.exists() and any(target.iterdir()):
        raise ServiceError(f"backup folder is not empty: {target}")
    target.mkdir(parents=True, exist_ok=True)
    db = connections["default"].settings_dict
    vendor = connections["default"].vendor
    head = _audit_head()
    if vendor == "postgresql":
        env, args = _pg_env_and_args(db)
        subprocess.run(["pg_dump", *args, "-Fc", "-f", str(target / "database.dump"), db["NAME"]], env=env, check=True)
    elif vendor == "sqlite":
        src, dst = sqlite3.connect(db["NAME"]), sqlite3.connect(target / "database.sqlite3")
        try:
            src.backup(dst)
        finally:
            dst.close()
            src.close()
    else:
        raise ServiceError(f"no backup for database vendor {vendor}")
    if progress:
        progress("database")
    for name, source in (("media", Path(settings.MEDIA_ROOT)), ("audit", _checkpoint_dir())):
        if source.exists():
            shutil.copytree(source, target / name)
        if progress:
            progress(name)
    files = {str(p.relative_to(target)): _sha256(p) for p in sorted(target.rglob("*")) if p.is_file()}
    manifest = {"created_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
                "vendor": vendor, "audit_head": head, "files": files}
    (target / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2))
    return manifest


def restore(source: Path, progress=None) -> dict:
    """Replace the database, the uploaded files and the audit checkpoints with the backup in `source`."""
    source = Path(source)
    try:
        manifest = json.loads((source / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise ServiceError(f"not a backup folder (no readable {MANIFEST}): {source}") from exc
    for name, digest in manifest["files"].items():
        if _sha256(source / name) != digest:
            raise ServiceError(f"backup file changed since it was written: {name}")
    vendor = connections["default"].vendor
    if vendor != manifest["vendor"]:
        raise ServiceError(f"the backup is of a {manifest['vendor']} database, this platform runs on {vendor}")
    db = connections["default"].settings_dict
    connections.close_all()
    if vendor == "postgresql":
        env, args = _pg_env_and_args(db)
        subprocess.run(["pg_restore", *args, "--clean", "--if-exists", "--no-owner", "--single-transaction",
                        "-d", db["NAME"], str(source / "database.dump")], env=env, check=True)
    else:
        src, dst = sqlite3.connect(source / "database.sqlite3"), sqlite3.connect(db["NAME"])
        try:
            src.backup(dst)
        finally:
            dst.close()
            src.close()
    if progress:
        progress("database")
    for name, dest in (("media", Path(settings.MEDIA_ROOT)), ("audit", _checkpoint_dir())):
        if dest.exists():
            shutil.rmtree(dest)
        if (source / name).exists():
            shutil.copytree(source / name, dest)
        if progress:
            progress(name)
    return manifest
