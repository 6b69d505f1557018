// A practitioner's look-up of any child by exact family name (case-insensitive) and date of
// birth. Returns: child (map). Params: $family_name (lower-case), $dob (date).
MATCH (c:Child {date_of_birth: $dob})
WHERE toLower(c.family_name) = $family_name
RETURN properties(c) AS child
ORDER BY c.id
LIMIT 20
