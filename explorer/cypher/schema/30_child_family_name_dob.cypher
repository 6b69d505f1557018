// Looking up a child by exact family name and date of birth (practitioners, domain.md).
CREATE INDEX child_family_name_dob IF NOT EXISTS FOR (c:Child) ON (c.family_name, c.date_of_birth)
