// Looking up a child by date of birth (then exact family name, case-insensitive).
CREATE INDEX child_date_of_birth IF NOT EXISTS FOR (c:Child) ON (c.date_of_birth)
