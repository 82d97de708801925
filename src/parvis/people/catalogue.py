"""The fact keys and data sources Parvis ships with. Imports may add more."""

FACT_KEYS = [
    # key, label (French: shown to agents and citizens as is), type, category, unit
    ("passport_expires_on", "Expiration du passeport", "date", "identity", ""),
    ("id_card_expires_on", "Expiration de la carte nationale d'identité", "date", "identity", ""),
    ("marital_status", "Situation familiale", "text", "family", ""),
    ("dependent_children", "Enfants à charge", "number", "family", ""),
    ("housing_status", "Statut d'occupation du logement", "text", "housing", ""),
    ("monthly_rent", "Loyer mensuel", "number", "housing", "€"),
    ("employment_status", "Situation professionnelle", "text", "employment", ""),
    ("monthly_net_salary", "Salaire net mensuel", "number", "tax", "€"),
    ("monthly_unemployment_benefit", "Allocation chômage mensuelle", "number", "tax", "€"),
    ("monthly_pension", "Pension de retraite mensuelle", "number", "tax", "€"),
    ("reference_tax_income", "Revenu fiscal de référence", "number", "tax", "€"),
    ("family_quotient", "Quotient familial CAF", "number", "social", "€"),
    ("rsa_recipient", "Bénéficiaire du RSA", "boolean", "social", ""),
    ("housing_aid_recipient", "Bénéficiaire d'une aide au logement", "boolean", "social", ""),
    ("activity_bonus_recipient", "Bénéficiaire de la prime d'activité", "boolean", "social", ""),
    ("disability_recognised", "Handicap reconnu (MDPH)", "boolean", "health", ""),
    ("heatwave_register", "Inscrit au registre canicule", "boolean", "health", ""),
    ("student", "Étudiant", "boolean", "general", ""),
]

DATA_SOURCES = [
    ("ants", "Agence nationale des titres sécurisés (ANTS)", "administration"),
    ("dgfip", "Direction générale des finances publiques (DGFiP)", "administration"),
    ("caf", "Caisse d'allocations familiales (CAF)", "administration"),
    ("france-travail", "France Travail", "administration"),
    ("cnav", "Assurance retraite (CNAV)", "administration"),
    ("mdph", "Maison départementale des personnes handicapées", "administration"),
    ("ccas", "Centre communal d'action sociale", "administration"),
    ("etat-civil", "État civil de la commune", "administration"),
    ("parvis", "Parvis", "system"),
    ("citizen", "Déclaré par l'usager", "citizen"),
    ("agent", "Saisi par un agent", "agent"),
]
