"""The knowledge base: importing articles and finding the best ones for a question.

Full-text search runs in the database: PostgreSQL's `french` text-search configuration over a
GIN index, or SQLite's FTS5 (kept in step with the table by triggers, see the migration).
Both index `search_text`, the folded words of the article (no accents, case or elision)
lightly stemmed here, so that "écoles", "Ecole" and "l'école" meet, and so that both
databases rank the same words. Candidates are then re-ranked by how many of the question's
words each article covers, in its title first."""

import hashlib
import json
import logging
import math
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

from . import corpus
from . import text as textlib
from .models import Article

logger = logging.getLogger(__name__)

SERVICE_PUBLIC_SOURCE = "service-public.fr (DILA)"
SERVICE_PUBLIC_LICENCE = "Licence Ouverte 2.0"
TOWN_ARTICLES = corpus.DATA_DIR / "town_articles.jsonl"
TITLE_WEIGHT = 3
MAX_TERMS = 30

STOP = set(
    """a au aux avec ce ces cette dans de des du elle en est et etre il ils je la le les leur
    lui ma mais me meme mes moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses
    son sur ta te tes toi ton tu un une vos votre vous y c d j l m n s t comment quoi quel
    quelle quels quelles quand combien faut faire fait peut peux puis pouvez dois doit il
    est ce qu est-ce avoir ai as a ont sont suis sommes etes bonjour merci svp madame monsieur
    si oui non tout tous toute toutes plus moins tres bien aussi alors donc car mon ma mes
    veux voudrais souhaite souhaiterais besoin aimerais cela ca ceci celui celle dont""".split()
)
_SUFFIXES = (
    "issements",
    "issement",
    "ements",
    "ement",
    "ations",
    "ation",
    "ateurs",
    "ateur",
    "atrices",
    "atrice",
    "ances",
    "ance",
    "ences",
    "ence",
    "euses",
    "euse",
    "eurs",
    "eur",
    "ites",
    "ite",
    "iques",
    "ique",
    "ables",
    "able",
    "istes",
    "iste",
    "ismes",
    "isme",
    "ments",
    "ment",
    "elles",
    "elle",
    "ees",
    "ee",
    "es",
    "er",
    "ez",
    "e",
    "s",
    "x",
)


def stem(word: str) -> str:
    """A light French suffix stripper: plurals, feminines and the common derivations
    ('déménagement' → 'demenag'); verbs and their nouns are not joined."""
    if len(word) <= 4 or word.isdigit():
        return word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def terms(text: str) -> list[str]:
    words = textlib.fold(text).split()
    return [stem(w) for w in words if w not in STOP and len(w) > 1]


def search_text(title: str, body: str) -> str:
    title_terms = " ".join(terms(title))
    return " ".join([title_terms] * TITLE_WEIGHT + [" ".join(terms(body))])


def query_terms(question: str) -> list[str]:
    seen: list[str] = []
    for term in terms(question[:2000]):
        if term not in seen:
            seen.append(term)
    return seen[:MAX_TERMS]


# --- storing -------------------------------------------------------------------------------------


def _hash(*parts) -> str:
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False, default=str).encode()).hexdigest()


def prepare(article: Article) -> Article:
    article.search_text = search_text(article.title, article.body)
    article.content_hash = _hash(
        article.title, article.body, article.url, article.theme, article.life_moments,
        article.valid_until, article.source, article.licence,
    )  # fmt: skip
    article.updated_at = timezone.now()
    return article


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)

    def __str__(self):
        return (
            f"created={self.created} updated={self.updated} unchanged={self.unchanged} "
            f"errors={len(self.errors)}"
        )


def _row_to_fields(row: dict) -> tuple[dict, list[str]]:
    """A line of a service-public.fr dump (id, title, text, theme...) or of the town's own
    articles (id, title, body, services, life_moments...)."""
    if not isinstance(row, dict):
        raise ValueError("not a JSON object")
    external_id = str(row.get("id") or "").strip()
    title = str(row.get("title") or "").strip()
    body = str(row.get("body") or row.get("text") or "").strip()
    if not external_id or not title or not body:
        raise ValueError("id, title and text are required")
    is_fiche = "text" in row and "body" not in row
    valid_until = row.get("valid_until") or None
    if valid_until:
        valid_until = date.fromisoformat(str(valid_until))
    services = list(row.get("services") or [])
    if is_fiche and not services:
        mapped = corpus.FICHE_DOSSIERS.get(row.get("dossier", ""))
        services = [mapped] if mapped else []
    theme = " / ".join(
        str(row.get(k) or "") for k in ("theme", "sous_theme", "dossier") if row.get(k)
    )
    fields = {
        "external_id": external_id[:60],
        "title": title[:300],
        "body": body,
        "url": str(row.get("url") or "")[:500],
        "theme": theme[:150],
        "life_moments": [
            m for m in row.get("life_moments") or [] if m in Article.LifeMoment.values
        ],
        "source": str(row.get("source") or (SERVICE_PUBLIC_SOURCE if is_fiche else ""))[:200],
        "licence": str(row.get("licence") or (SERVICE_PUBLIC_LICENCE if is_fiche else ""))[:200],
        "valid_until": valid_until,
    }
    return fields, services


def import_jsonl(path) -> ImportReport:
    """Create or update articles from a JSON-lines file; idempotent: a line whose content did
    not change is not written again; a bad line is reported and skipped, the others import."""
    from parvis.cases.models import Service

    report = ImportReport()
    services_by_slug = {s.slug: s for s in Service.objects.all()}
    existing = {a.external_id: a for a in Article.objects.all()}
    with Path(path).open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                fields, slugs = _row_to_fields(json.loads(line))
            except (ValueError, TypeError) as exc:
                report.errors.append(f"line {number}: {exc}")
                continue
            with transaction.atomic():
                article = existing.get(fields["external_id"])
                created = article is None
                article = article or Article(external_id=fields["external_id"])
                for name, value in fields.items():
                    setattr(article, name, value)
                old_hash = article.content_hash
                prepare(article)
                if not created and old_hash == article.content_hash:
                    report.unchanged += 1
                    continue
                article.save()
                wanted = [services_by_slug[s] for s in slugs if s in services_by_slug]
                if wanted or not created:
                    article.services.set(wanted)
                existing[article.external_id] = article
                if created:
                    report.created += 1
                else:
                    report.updated += 1
    return report


def import_town_articles() -> ImportReport:
    return import_jsonl(TOWN_ARTICLES)


def save_article(article: Article, services=None) -> Article:
    """An article written or edited in the console."""
    with transaction.atomic():
        prepare(article)
        article.save()
        if services is not None:
            article.services.set(services)
    return article


# --- searching -----------------------------------------------------------------------------------


@dataclass
class Hit:
    article: Article
    score: float  # 0..1: share of the question's words the article covers (title counts double)
    rank: float


def _fts_candidates(words: list[str], limit: int) -> list[tuple[int, float]]:
    if not words:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            query = " | ".join(re.sub(r"[^a-z0-9]", "", w) for w in words if w)
            cursor.execute(
                "SELECT id, ts_rank(to_tsvector('french', search_text), q, 1) AS r "
                "FROM assist_article, to_tsquery('french', %s) q "
                "WHERE published AND to_tsvector('french', search_text) @@ q "
                "ORDER BY r DESC, id LIMIT %s",
                [query, limit],
            )
        else:
            match = " OR ".join(f'"{w}"' for w in words)
            cursor.execute(
                "SELECT f.rowid, -bm25(assist_article_fts) AS r FROM assist_article_fts f "
                "JOIN assist_article a ON a.id = f.rowid "
                "WHERE assist_article_fts MATCH %s AND a.published "
                "ORDER BY r DESC, f.rowid LIMIT %s",
                [match, limit],
            )
        return [(row[0], float(row[1])) for row in cursor.fetchall()]


def search(question: str, limit: int = 5, candidates: int = 60) -> list[Hit]:
    words = query_terms(question)
    found = _fts_candidates(words, candidates)
    if not found:
        return []
    rank_by_id = dict(found)
    today = timezone.localdate()
    articles = Article.objects.filter(pk__in=rank_by_id).prefetch_related("services")
    top_rank = max(rank_by_id.values()) or 1.0
    hits = []
    wanted = set(words)
    for article in articles:
        if article.valid_until and article.valid_until < today:
            continue
        body_terms = set(article.search_text.split())
        title_terms = set(terms(article.title))
        covered = sum(1 for w in wanted if w in body_terms)
        in_title = sum(1 for w in wanted if w in title_terms)
        coverage = (covered + in_title) / (2 * len(wanted))
        rank = rank_by_id[article.pk] / top_rank
        # The database's rank orders candidates; coverage says whether the article is about
        # the whole question rather than one frequent word of it.
        score = 0.5 * rank + 0.5 * math.sqrt(coverage)
        hits.append(Hit(article, round(coverage, 3), round(score, 4)))
    hits.sort(key=lambda h: (-h.rank, h.article.pk))
    return hits[:limit]


def is_confident(hits: list[Hit], minimum: float = 0.45) -> bool:
    return bool(hits) and hits[0].score >= minimum


def snippet(article: Article, question: str, sentences: int = 3) -> list[str]:
    """The sentences of the article that share most words with the question, in order."""
    wanted = set(query_terms(question))
    parts = [
        s.strip()
        for s in re.split(r"(?<=[.!?])\s+|\n+", article.body)
        if 30 <= len(s.strip()) <= 600
    ]
    scored = sorted(
        range(len(parts)),
        key=lambda i: (-len(wanted & set(terms(parts[i]))), i),
    )[:sentences]
    return [parts[i] for i in sorted(scored)]
