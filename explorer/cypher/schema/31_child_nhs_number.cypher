// Looking up a child by NHS number.
CREATE INDEX child_nhs_number IF NOT EXISTS FOR (c:Child) ON (c.nhs_number)
