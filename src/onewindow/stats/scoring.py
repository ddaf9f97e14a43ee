"""Performance scoring (绩效得分): the weights, the per-component rules and the ranking with its 末位.

Pure functions over figures already aggregated (stats.selectors reads them from the rollups or
live); the definitions are in docs/metrics.md, keep the two in step.
"""

from __future__ import annotations

from onewindow.ratings.models import Level

# Performance score weights (docs/metrics.md, "绩效得分").
WEIGHTS = {
    "on_time_rate": 0.40,
    "satisfaction_rate": 0.25,
    "speed_score": 0.15,
    "alert_free_rate": 0.10,
    "rectification_rate": 0.10,
}


# Satisfaction (满意度): 非常满意 5, 满意 4, 基本满意 3 are 好评; 不满意 2, 非常不满意 1 are 差评.
GOOD_LEVEL_MIN = Level.FAIR


def ratio(num, den, places=4):
    """num / den rounded, or None when there is nothing to divide by (a rate of no cases is not 0)."""
    if not den:
        return None
    return round(num / den, places)


def round_or_none(value, places=2):
    return None if value is None else round(float(value), places)


def speed_score(avg_actual, avg_committed):
    """1 - actual/committed, clipped to [0, 1]; for instant work (committed 0): 1 when actual is 0, else 0."""
    if avg_actual is None or avg_committed is None:
        return None
    if float(avg_committed) == 0:
        return 1.0 if float(avg_actual) == 0 else 0.0
    return round(min(1.0, max(0.0, 1 - float(avg_actual) / float(avg_committed))), 4)


def score_of(components: dict) -> float | None:
    """Weighted score 0..100 over the components that exist; missing ones' weights are redistributed."""
    total_w = sum(w for k, w in WEIGHTS.items() if components.get(k) is not None)
    if not total_w:
        return None
    value = sum(w * components[k] for k, w in WEIGHTS.items() if components.get(k) is not None)
    return round(100 * value / total_w, 2)


def ranked(rows: list[dict], cards: dict | None) -> list[dict]:
    """The ranking from per-group figures (id, name, volume, concluded, on_time, avg_actual, avg_committed,
    alerted, alerts, ratings = (good, all) or None, rect = (rectified, all) or None), in id order."""
    out = []
    for row in rows:
        gid = row["id"]
        good_all = row["ratings"]
        rect = row["rect"]
        item = {
            "id": gid,
            "name": row["name"],
            "volume": row["volume"],
            "concluded": row["concluded"],
            "on_time_rate": ratio(row["on_time"], row["concluded"]),
            "avg_actual_days": round_or_none(row["avg_actual"]),
            "avg_committed_days": round_or_none(row["avg_committed"]),
            "speed_score": speed_score(row["avg_actual"], row["avg_committed"]),
            "satisfaction_rate": ratio(*good_all) if good_all else None,
            "alerts": row["alerts"],
            "alert_free_rate": round(1 - row["alerted"] / row["volume"], 4) if row["volume"] else None,
            "rectifications": rect[1] if rect else 0,
            "rectification_rate": ratio(*rect) if rect else None,
            "cards": cards.get(gid) if cards is not None else None,
        }
        item["score"] = score_of(item)
        out.append(item)
    out.sort(key=lambda r: (r["score"] is None, -(r["score"] or 0), -r["volume"], str(r["name"])))
    rank = 0
    for r in out:
        r["last"] = False
        if r["score"] is not None:
            rank += 1
            r["rank"] = rank
        else:
            r["rank"] = None
    placed = [r for r in out if r["rank"]]
    if len(placed) >= 2:
        placed[-1]["last"] = True  # 末位: the last of two or more ranked rows
    return out
