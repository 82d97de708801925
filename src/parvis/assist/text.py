"""Reading French text the way the models need it: accents, case and elision folded, the
quoted history and the signature told apart from what the citizen actually asks, and the
language guessed.

Language detection is a stop-word vote (plus the script for non-Latin alphabets): the only
question triage asks is "is this French, and if not which common language", the answer must
be explainable to an agent ("12 French function words, 1 English") and it must run offline
with no model file. Short function words are what distinguishes European languages best on
short texts; a citizen's email always has some."""

import re
import unicodedata

MAX_CHARS = 20_000  # a 100 kB paste is cut: the request is at the top, the rest is history

_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "’": "'", "`": "'"})
# l'école, d'un, j'ai, qu'il, jusqu'à, lorsqu'on... the elided article or pronoun goes.
_ELISION = re.compile(r"\b(?:[ldjmntsc]|qu|jusqu|lorsqu|puisqu|quoiqu)'(?=\w)", re.IGNORECASE)
_NON_WORD = re.compile(r"[^a-z0-9]+")
_SPACES = re.compile(r"\s+")
_URL = re.compile(r"https?://\S+|www\.\S+")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?:\+33\s?|0)[1-9](?:[\s.-]?\d{2}){4}")


def fold(text: str) -> str:
    """Lower case, no accents, no elision: 'L’École d’Été' → 'ecole ete'."""
    text = (text or "")[:MAX_CHARS].translate(_LIGATURES)
    text = _ELISION.sub("", text)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = _URL.sub(" ", text)
    text = _EMAIL.sub(" ", text)
    text = _PHONE.sub(" ", text)
    return _SPACES.sub(" ", _NON_WORD.sub(" ", text)).strip()


# --- what the citizen wrote, without history and signature ------------------------------

_QUOTE_HEADERS = re.compile(
    r"^\s*(?:-{2,}\s*(?:message (?:d'origine|transf[ée]r[ée]|original)|original message|"
    r"forwarded message)\s*-{2,}|le .{4,80} a [ée]crit\s*:|on .{4,80} wrote\s*:|"
    r"de\s*:.+|from\s*:.+)\s*$",
    re.IGNORECASE,
)
_SIGNATURE_START = re.compile(
    r"^\s*(?:--\s*|cordialement|bien cordialement|bien [àa] vous|salutations|"
    r"sinc[èe]res salutations|veuillez agr[ée]er.*|merci d'avance.*|merci par avance.*|"
    r"bonne (?:journ[ée]e|soir[ée]e)|envoy[ée] de mon .+|sent from my .+|regards|"
    r"best regards|kind regards)[\s,.!]*$",
    re.IGNORECASE,
)


def split_message(text: str) -> tuple[str, str]:
    """(what the citizen wrote now, the quoted or forwarded history below it)."""
    lines = (text or "")[:MAX_CHARS].splitlines()
    for index, line in enumerate(lines):
        if _QUOTE_HEADERS.match(line):
            head = "\n".join(lines[:index])
            if head.strip():
                return head, "\n".join(lines[index:])
            # A bare forward: the forwarded message is the request.
            return "\n".join(lines[index + 1 :]), ""
    own = [line for line in lines if not line.lstrip().startswith(">")]
    quoted = [line for line in lines if line.lstrip().startswith(">")]
    return "\n".join(own), "\n".join(quoted)


def without_signature(text: str) -> str:
    lines = (text or "").splitlines()
    for index, line in enumerate(lines):
        if index > 0 and _SIGNATURE_START.match(line):
            return "\n".join(lines[:index])
    return text or ""


_GREETINGS = {
    "bonjour",
    "bonsoir",
    "madame",
    "monsieur",
    "mme",
    "mr",
    "m",
    "hello",
    "bjr",
    "salut",
    "cordialement",
    "merci",
    "le",
    "maire",
    "envoye",
    "de",
    "mon",
    "iphone",
    "android",
    "samsung",
    "objet",
    "re",
    "tr",
    "fwd",
}


def content_words(text: str) -> list[str]:
    """The words of the request itself: no history, signature, greetings or numbers."""
    own, _history = split_message(text)
    words = fold(without_signature(own)).split()
    return [w for w in words if len(w) > 1 and w not in _GREETINGS and not w.isdigit()]


def has_request(text: str, minimum: int = 3) -> bool:
    """False for an empty body, a bare signature or a lone "Bonjour": nothing to triage."""
    return len(content_words(text)) >= minimum


# --- language --------------------------------------------------------------------------------

_STOPWORDS = {
    "fr": "le la les un une des du de et est je vous nous il elle que qui pour dans sur pas "
    "ne au aux avec mais ou mon ma mes votre vos ce cette merci bonjour suis avoir etre "
    "tres aussi comme sont ont fait faire",
    "en": "the and is are you we i to of in for on with not my your this that be have has "
    "was were please thank thanks hello would could should from there their which",
    "es": "el la los las y es que de en por para con no una un mi su muy gracias hola estoy "
    "tengo pero como esta del al se",
    "de": "der die das und ist ich sie wir nicht ein eine mit fur auf den dem des zu von "
    "bitte danke hallo haben sein mein ihr",
    "it": "il lo la gli le e di che per con non una un mio sono ho grazie buongiorno del "
    "della alla questo questa anche",
    "pt": "o a os as e de que em para com nao um uma meu minha obrigado ola estou tenho "
    "mas como do da no na",
    "nl": "de het een en is ik u we niet met voor op van dat die zijn heb hebben bedankt "
    "hallo mijn uw",
}
_STOPWORD_SETS = {lang: set(words.split()) for lang, words in _STOPWORDS.items()}
_SCRIPTS = [
    ("ar", re.compile(r"[\u0600-\u06ff]")),
    ("ru", re.compile(r"[\u0400-\u04ff]")),
    ("zh", re.compile(r"[\u4e00-\u9fff]")),
    ("ja", re.compile(r"[\u3040-\u30ff]")),
    ("el", re.compile(r"[\u0370-\u03ff]")),
    ("he", re.compile(r"[\u0590-\u05ff]")),
]


def detect_language(text: str) -> tuple[str, float, dict[str, int]]:
    """(language code, share of the votes, votes per language). 'und' when undecided."""
    sample = (text or "")[:4000]
    letters = [ch for ch in sample if ch.isalpha()]
    if letters:
        for code, pattern in _SCRIPTS:
            share = len(pattern.findall(sample)) / len(letters)
            if share > 0.3:
                return code, round(min(1.0, share), 2), {code: len(letters)}
    own, _history = split_message(sample)
    words = fold(own).split()
    votes = {lang: sum(1 for w in words if w in stop) for lang, stop in _STOPWORD_SETS.items()}
    total = sum(votes.values())
    if total < 2:
        return "und", 0.0, votes
    best = max(votes, key=votes.get)
    return best, round(votes[best] / total, 2), votes


# --- urgency cues ----------------------------------------------------------------------------

_URGENT_CUES = re.compile(
    r"\b(?:urgent|urgence|urgemment|au plus vite|imm[ée]diatement|danger(?:eux|euse)?|"
    r"d[ée]s que possible|asap|tr[èe]s rapidement|aujourd'hui m[êe]me|ce soir|demain matin)\b",
    re.IGNORECASE,
)


def urgency_cues(text: str) -> list[str]:
    return sorted({m.group(0).lower() for m in _URGENT_CUES.finditer((text or "")[:MAX_CHARS])})


def redact_contacts(text: str) -> str:
    """Email addresses and phone numbers replaced: what leaves for an LLM or an explanation."""
    return _PHONE.sub("[téléphone]", _EMAIL.sub("[adresse e-mail]", text or ""))


def find_contacts(text: str) -> set[str]:
    found = {m.group(0).lower() for m in _EMAIL.finditer(text or "")}
    found |= {re.sub(r"\D", "", m.group(0))[-9:] for m in _PHONE.finditer(text or "")}
    return found
