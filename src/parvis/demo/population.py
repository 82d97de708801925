"""The synthetic population: households of realistic sizes and ages, with names, contacts,
consents, identity documents, incomes and situations, generated as plain row tuples.

Distributions follow INSEE orders of magnitude (household sizes, age pyramid, share of
people without internet) so that later features (eligibility, journeys, alerts) have
something true-to-life to work on. Everything comes from one `random.Random(seed)`, so the
same seed and reference date give the same town."""

import random
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from parvis.people.normalize import name_tokens

from .names import first_name_for, surnames

EMAIL_DOMAINS = [
    ("orange.fr", 22),
    ("gmail.com", 30),
    ("free.fr", 10),
    ("laposte.net", 8),
    ("sfr.fr", 6),
    ("hotmail.fr", 9),
    ("wanadoo.fr", 6),
    ("yahoo.fr", 5),
    ("outlook.fr", 4),
]
# Household composition (INSEE, France 2020, rounded): type, weight.
HOUSEHOLD_TYPES = [
    ("single", 37),
    ("couple", 26),
    ("couple_children", 24),
    ("single_parent", 9),
    ("flatshare", 4),
]
MOBILE_06_PREFIXES = [f"6{n:02d}" for n in range(90) if n != 39]
EMPLOYMENT = ["employed", "unemployed", "retired", "student", "inactive"]


@dataclass
class Member:
    person_id: int
    sex: str
    birth: date
    role: str
    first_names: str = ""
    last_name: str = ""
    birth_name: str = ""


@dataclass
class Tables:
    """The rows of one chunk, per table."""

    households: list = field(default_factory=list)
    persons: list = field(default_factory=list)
    members: list = field(default_factory=list)
    residences: list = field(default_factory=list)
    contacts: list = field(default_factory=list)
    consents: list = field(default_factory=list)
    facts: list = field(default_factory=list)
    interactions: list = field(default_factory=list)
    tokens: list = field(default_factory=list)


def _ascii(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if c.isalnum() and not unicodedata.combining(c)).lower()


class PopulationGenerator:
    def __init__(self, seed: int, today: date, address_ids: list[int], ids: dict[str, int]):
        self.rng = random.Random(seed)
        self.today = today
        self.now = datetime.combine(today, time(9, 0), tzinfo=UTC)
        self.address_ids = address_ids
        self.ids = ids  # next free id per table, advanced as rows are made
        self.person_count = 0
        self._surnames = surnames()
        self._domain_names = [d for d, _w in EMAIL_DOMAINS]
        self._domain_weights = [w for _d, w in EMAIL_DOMAINS]

    def _next(self, table: str) -> int:
        value = self.ids[table]
        self.ids[table] = value + 1
        return value

    # -- people ------------------------------------------------------------------------------

    def _birth(self, min_age: int, max_age: int) -> date:
        age_days = self.rng.randint(min_age * 365, max_age * 365 + 364)
        return self.today - timedelta(days=age_days)

    def _adult_age_range(self) -> tuple[int, int]:
        # Reference persons: a pyramid with fewer very old people.
        bucket = self.rng.choices(
            [(20, 29), (30, 44), (45, 59), (60, 74), (75, 89), (90, 100)],
            [14, 24, 26, 21, 12, 3],
        )[0]
        return bucket

    def household(self, tables: Tables) -> list[Member]:
        kind = self.rng.choices([k for k, _w in HOUSEHOLD_TYPES], [w for _k, w in HOUSEHOLD_TYPES])[
            0
        ]
        lo, hi = self._adult_age_range()
        members: list[Member] = []
        ref_sex = self.rng.choice("FM")
        ref_birth = self._birth(lo, hi)
        members.append(Member(0, ref_sex, ref_birth, "reference"))
        if kind in ("couple", "couple_children"):
            partner_sex = "F" if ref_sex == "M" else "M"
            if self.rng.random() < 0.04:
                partner_sex = ref_sex
            ref_age = (self.today - ref_birth).days // 365
            partner_age = max(18, min(100, ref_age + self.rng.randint(-6, 6)))
            members.append(Member(0, partner_sex, self._birth(partner_age, partner_age), "spouse"))
        if kind in ("couple_children", "single_parent"):
            youngest_parent = min((self.today - m.birth).days // 365 for m in members)
            children = self.rng.choices([1, 2, 3, 4, 5], [40, 38, 15, 5, 2])[0]
            max_child_age = max(0, min(25, youngest_parent - 18))
            for _ in range(children):
                members.append(
                    Member(0, self.rng.choice("FM"), self._birth(0, max_child_age), "child")
                )
        if kind == "flatshare":
            for _ in range(self.rng.randint(1, 3)):
                members.append(Member(0, self.rng.choice("FM"), self._birth(19, 30), "other"))
        self._name(members, kind)
        household_id = self._next("people_household")
        address_id = self.rng.choice(self.address_ids)
        tables.households.append((household_id, address_id, self.now))
        moved_in = self.today - timedelta(days=self.rng.randint(30, 25 * 365))
        for member in members:
            member.person_id = self._next("people_person")
            self._person(tables, member, household_id, address_id, moved_in, kind)
        self._household_facts(tables, members, kind)
        return members

    def _name(self, members: list[Member], kind: str) -> None:
        family = self._surnames.pick(self.rng)
        for m in members:
            m.first_names = first_name_for(self.rng, m.sex, m.birth.year)
            if kind == "flatshare" and m.role == "other":
                m.last_name = self._surnames.pick(self.rng)
            elif kind == "couple" or kind == "couple_children":
                if m.role == "spouse":
                    own = self._surnames.pick(self.rng)
                    married = self.rng.random() < 0.6
                    if married and m.sex == "F" and members[0].sex == "M":
                        m.last_name, m.birth_name = family, own
                    else:
                        m.last_name = own
                else:
                    m.last_name = family
            else:
                m.last_name = family
            if (
                m.role == "reference"
                and m.sex == "F"
                and kind != "single_parent"
                and (self.rng.random() < 0.15 and (self.today - m.birth).days > 50 * 365)
            ):
                # Widows and divorcees who kept their married name.
                m.birth_name = self._surnames.pick(self.rng)

    def _person(self, tables, m: Member, household_id, address_id, moved_in, kind) -> None:
        rng = self.rng
        age = (self.today - m.birth).days // 365
        adult = age >= 18
        pid = m.person_id
        self.person_count += 1
        nir = self._nir(m, pid) if rng.random() < 0.3 else ""
        email = mobile = landline = None
        if adult:
            p_email = 0.85 if age < 65 else 0.6 if age < 80 else 0.25
            p_mobile = 0.95 if age < 65 else 0.8 if age < 80 else 0.45
            if rng.random() < p_email:
                email = self._email(m, pid)
            if rng.random() < p_mobile:
                mobile = self._mobile()
            if rng.random() < (0.2 if age < 60 else 0.55):
                landline = "+33382" + f"{rng.randrange(10**6):06d}"  # Briey-Longwy area
        elif age >= 15 and rng.random() < 0.7:
            mobile = self._mobile()
        preferred = "email" if email else "sms" if mobile else "postal" if adult else ""
        tables.persons.append(
            (
                pid,
                m.first_names,
                m.last_name,
                m.birth_name,
                m.sex,
                m.birth,
                "Mont-Bonvillers" if rng.random() < 0.25 else "",
                "",
                "fr",
                nir,
                preferred,
                None,
                self.now,
                self.now,
            )
        )
        tables.members.append(
            (self._next("people_householdmember"), household_id, pid, m.role, moved_in, None)
        )
        tables.residences.append((self._next("people_residence"), pid, address_id, moved_in, None))
        if adult and rng.random() < 0.2:
            earlier = moved_in - timedelta(days=rng.randint(365, 3650))
            tables.residences.append(
                (
                    self._next("people_residence"),
                    pid,
                    rng.choice(self.address_ids),
                    earlier,
                    moved_in,
                )
            )
        for kind_, value, normalized in self._contacts(email, mobile, landline):
            tables.contacts.append(
                (
                    self._next("people_contactpoint"),
                    pid,
                    kind_,
                    value,
                    normalized,
                    rng.random() < 0.6,
                    "ok",
                    self.now,
                )
            )
        if adult:
            self._consents(tables, pid, email, mobile)
            self._person_facts(tables, pid, age, m)
        if rng.random() < 0.3:
            self._history(tables, pid)
        for token in name_tokens(m.first_names, m.last_name, m.birth_name):
            tables.tokens.append((pid, token))

    def _mobile(self) -> str:
        # Mainland ranges: 060-068 but 0639 (069x belong to overseas départements), 073-078.
        if self.rng.random() < 0.7:
            prefix = self.rng.choice(MOBILE_06_PREFIXES)
            return "+33" + prefix + f"{self.rng.randrange(10**6):06d}"
        return "+337" + self.rng.choice("345678") + f"{self.rng.randrange(10**7):07d}"

    def _nir(self, m: Member, pid: int) -> str:
        # Département 54, a commune and order number derived from the id: unique and valid.
        commune = pid // 999 % 999 + 1
        order = pid % 999 + 1
        sex = 1 if m.sex == "M" else 2
        body = f"{sex}{m.birth.year % 100:02d}{m.birth.month:02d}54{commune:03d}{order:03d}"
        return body + f"{97 - int(body) % 97:02d}"

    def _email(self, m: Member, pid: int) -> str:
        first = _ascii(m.first_names.split()[0])
        last = _ascii(m.last_name)
        pattern = self.rng.random()
        local = (
            f"{first}.{last}"
            if pattern < 0.45
            else f"{first[0]}{last}"
            if pattern < 0.6
            else f"{first}.{last}{m.birth.year % 100:02d}"
            if pattern < 0.85
            else f"{first}{pid % 1000}"
        )
        domain = self.rng.choices(self._domain_names, self._domain_weights)[0]
        return f"{local}@{domain}"

    def _contacts(self, email, mobile, landline):
        if email:
            yield "email", email, email
        if mobile:
            yield "mobile", _display_phone(mobile, self.rng), mobile
        if landline:
            yield "landline", _display_phone(landline, self.rng), landline

    def _consents(self, tables, pid, email, mobile) -> None:
        rng = self.rng
        when = self.now - timedelta(days=rng.randint(1, 1500))
        channels = (["email"] if email else []) + (["sms"] if mobile else [])
        for channel in channels:
            tables.consents.append(
                (
                    self._next("people_consent"),
                    pid,
                    "case_updates",
                    channel,
                    True,
                    when,
                    "portal",
                    "public_task",
                    None,
                )
            )
            for purpose, p in (
                ("proactive_rights", 0.55),
                ("document_reminders", 0.6),
                ("alerts", 0.5),
                ("town_news", 0.3),
            ):
                if rng.random() < p:
                    granted = rng.random() < 0.92
                    tables.consents.append(
                        (
                            self._next("people_consent"),
                            pid,
                            purpose,
                            channel,
                            granted,
                            when,
                            rng.choice(["portal", "counter", "paper"]),
                            "consent",
                            None,
                        )
                    )

    def _fact(
        self,
        tables,
        pid,
        key,
        source,
        basis,
        *,
        text="",
        number=None,
        day=None,
        flag=None,
        valid_until=None,
        collected_days_ago=None,
    ) -> None:
        collected = self.now - timedelta(
            days=collected_days_ago if collected_days_ago is not None else self.rng.randint(5, 400)
        )
        tables.facts.append(
            (
                self._next("people_fact"),
                pid,
                key,
                text,
                number,
                day,
                flag,
                source,
                basis,
                collected,
                valid_until,
                self.now,
            )
        )

    def _person_facts(self, tables, pid, age, m: Member) -> None:
        rng = self.rng
        today = self.today
        # Identity documents valid 10 years (15 for ID cards issued 2004-2013): expiry dates are
        # spread over the past two and the next ten years.
        if rng.random() < 0.55:
            self._fact(
                tables,
                pid,
                "passport_expires_on",
                "ants",
                "Code de la sécurité intérieure, art. R. 311-1",
                day=today + timedelta(days=rng.randint(-730, 3650)),
            )
        if rng.random() < 0.8:
            self._fact(
                tables,
                pid,
                "id_card_expires_on",
                "ants",
                "Décret n° 55-1397",
                day=today + timedelta(days=rng.randint(-730, 3650)),
            )
        if age >= 67 or (age >= 62 and rng.random() < 0.6):
            status = "retired"
        elif age < 25 and rng.random() < 0.5:
            status = "student"
        else:
            status = rng.choices(["employed", "unemployed", "inactive"], [82, 10, 8])[0]
        self._fact(
            tables,
            pid,
            "employment_status",
            "france-travail",
            "Code du travail, art. L. 5312-1",
            text=status,
        )
        if status == "employed":
            salary = max(600, round(rng.lognormvariate(7.6, 0.45)))
            self._fact(
                tables,
                pid,
                "monthly_net_salary",
                "dgfip",
                "CGI, art. 1649 quater",
                number=Decimal(salary),
            )
        elif status == "unemployed":
            self._fact(
                tables,
                pid,
                "monthly_unemployment_benefit",
                "france-travail",
                "Code du travail, art. L. 5312-1",
                number=Decimal(rng.choice([0, 0, 600, 900, 1100, 1400])),
            )
        elif status == "retired":
            self._fact(
                tables,
                pid,
                "monthly_pension",
                "cnav",
                "Code de la sécurité sociale, art. L. 161-17",
                number=Decimal(max(300, round(rng.lognormvariate(7.3, 0.4)))),
            )
        elif status == "student":
            self._fact(tables, pid, "student", "citizen", "Consentement", flag=True)
        if rng.random() < 0.03:
            self._fact(
                tables, pid, "disability_recognised", "mdph", "CASF, art. L. 241-6", flag=True
            )

    def _household_facts(self, tables, members: list[Member], kind: str) -> None:
        rng = self.rng
        ref = members[0]
        children = sum(1 for m in members if m.role == "child")
        marital = {
            "couple": rng.choice(["married", "pacs", "cohabiting"]),
            "couple_children": rng.choice(["married", "married", "pacs", "cohabiting"]),
            "single": rng.choice(["single", "single", "divorced", "widowed"]),
            "single_parent": rng.choice(["single", "divorced", "separated"]),
            "flatshare": "single",
        }[kind]
        ref_age = (self.today - ref.birth).days // 365
        if kind == "single" and ref_age >= 70 and rng.random() < 0.6:
            marital = "widowed"
        self._fact(
            tables,
            ref.person_id,
            "marital_status",
            "etat-civil",
            "Code civil, art. 34",
            text=marital,
        )
        housing = rng.choices(["owner", "tenant", "social_housing", "hosted"], [57, 25, 15, 3])[0]
        self._fact(tables, ref.person_id, "housing_status", "citizen", "Consentement", text=housing)
        if housing in ("tenant", "social_housing"):
            rent = round(
                rng.uniform(280, 520) if housing == "social_housing" else rng.uniform(420, 950)
            )
            self._fact(
                tables,
                ref.person_id,
                "monthly_rent",
                "citizen",
                "Consentement",
                number=Decimal(rent),
            )
        if children:
            self._fact(
                tables,
                ref.person_id,
                "dependent_children",
                "caf",
                "Code de la sécurité sociale, art. L. 583-3",
                number=Decimal(children),
            )
        adults = len(members) - children
        # A household income drawn so that about 15 % of households are under the poverty line.
        monthly = max(0, rng.lognormvariate(7.9, 0.55) * (1 if adults == 1 else 1.6))
        yearly = round(monthly * 12)
        self._fact(
            tables,
            ref.person_id,
            "reference_tax_income",
            "dgfip",
            "CGI, art. 1649 quater",
            number=Decimal(yearly),
        )
        shares = adults + 0.5 * min(children, 2) + max(0, children - 2)
        quotient = round(yearly / 12 / max(shares, 1))
        self._fact(
            tables,
            ref.person_id,
            "family_quotient",
            "caf",
            "Code de la sécurité sociale, art. L. 114-12-1",
            number=Decimal(quotient),
        )
        # Non-take-up: only some of the likely entitled receive RSA or housing aid.
        if monthly < 700 and adults <= 2 and rng.random() < 0.65:
            self._fact(
                tables, ref.person_id, "rsa_recipient", "caf", "CASF, art. L. 262-40", flag=True
            )
        if housing in ("tenant", "social_housing") and monthly < 1600 and rng.random() < 0.7:
            self._fact(
                tables,
                ref.person_id,
                "housing_aid_recipient",
                "caf",
                "Code de la construction, art. L. 821-1",
                flag=True,
            )
        if kind == "single" and ref_age >= 75 and rng.random() < 0.25:
            self._fact(
                tables,
                ref.person_id,
                "heatwave_register",
                "ccas",
                "CASF, art. L. 121-6-1",
                flag=True,
            )

    def _history(self, tables, pid) -> None:
        rng = self.rng
        for _ in range(rng.randint(1, 3)):
            when = self.now - timedelta(days=rng.randint(1, 900), minutes=rng.randint(0, 600))
            kind, channel, summary = rng.choice(HISTORY)
            tables.interactions.append(
                (
                    self._next("people_interaction"),
                    pid,
                    when,
                    kind,
                    channel,
                    summary,
                    "",
                    None,
                    "",
                    "",
                )
            )


HISTORY = [
    ("call", "phone", "Appel : question sur l'inscription à la cantine"),
    ("call", "phone", "Appel : demande de rendez-vous pour un passeport"),
    ("visit", "counter", "Accueil : dépôt d'un dossier de carte d'identité"),
    ("visit", "counter", "Accueil : demande d'acte de naissance"),
    ("message_in", "email", "Courriel : signalement d'un lampadaire en panne"),
    ("message_out", "email", "Courriel : confirmation de l'inscription sur les listes électorales"),
    ("visit", "counter", "CCAS : entretien pour une aide ponctuelle"),
    ("message_out", "postal", "Courrier : invitation au repas des aînés"),
]


def _display_phone(e164: str, rng: random.Random) -> str:
    national = "0" + e164[3:]
    style = rng.random()
    if style < 0.5:
        return " ".join(national[i : i + 2] for i in range(0, 10, 2))
    if style < 0.75:
        return national
    if style < 0.9:
        return ".".join(national[i : i + 2] for i in range(0, 10, 2))
    return "+33 " + national[1:]
