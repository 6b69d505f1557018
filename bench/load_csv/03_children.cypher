// Baseline: children.csv (dates with date(), booleans, former names split on |).
// Params: $url, $batch.
LOAD CSV WITH HEADERS FROM $url AS row
CALL (row) {
  MERGE (c:Child {id: row.id})
  SET c.given_name = row.given_name,
      c.family_name = row.family_name,
      c.former_names = CASE WHEN row.former_names IS NULL THEN []
                            ELSE [n IN split(row.former_names, '|') WHERE trim(n) <> '' | trim(n)] END,
      c.date_of_birth = date(row.date_of_birth),
      c.gender = row.gender,
      c.nhs_number = replace(row.nhs_number, ' ', ''),
      c.shielded = coalesce(c.shielded, false) OR coalesce(toBoolean(row.shielded), false),
      c.status = coalesce(row.status, 'none'),
      c.plan_category = row.plan_category,
      c.plan_start = date(row.plan_start),
      c.plan_end = date(row.plan_end),
      c.care_leaver = coalesce(toBoolean(row.care_leaver), false),
      c.care_leaver_consent = coalesce(toBoolean(row.care_leaver_consent), false)
} IN TRANSACTIONS OF $batch ROWS
