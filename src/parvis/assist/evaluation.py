"""Measuring the knowledge base's search on questions whose answer article is known."""

import csv

from . import kb
from .models import Article


def search_eval(path) -> dict:
    """CSV `question,article_id`; article_id is the source reference (F1234, mb-cantine) or
    the database id."""
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = {"question", "article_id"} - set(reader.fieldnames or [])
        if missing:
            raise ValueError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
        rows = [r for r in reader if (r.get("question") or "").strip()]
    by_external = dict(Article.objects.values_list("external_id", "pk"))
    known_pks = set(by_external.values())
    top1 = top3 = unknown = 0
    misses = []
    for row in rows:
        wanted = row["article_id"].strip()
        pk = by_external.get(wanted)
        if pk is None and wanted.isdigit() and int(wanted) in known_pks:
            pk = int(wanted)
        if pk is None:
            unknown += 1
        hits = kb.search(row["question"], limit=3)
        ids = [h.article.pk for h in hits]
        if ids[:1] == [pk]:
            top1 += 1
        if pk in ids:
            top3 += 1
        else:
            misses.append(
                {
                    "question": row["question"],
                    "expected": wanted,
                    "got": [h.article.external_id for h in hits],
                }
            )
    n = len(rows)
    return {
        "n": n,
        "top1": round(top1 / n, 4) if n else 0.0,
        "top3": round(top3 / n, 4) if n else 0.0,
        "unknown_articles": unknown,
        "misses": misses,
    }
