// The ids of the children who live or lived in a household (the household page then reads
// each through child_view, so the policy decides what of each is shown).
// Returns: id. Params: $id (household id).
MATCH (c:Child)-[l:LIVES_IN]->(:Household {id: $id})
RETURN DISTINCT c.id AS id
ORDER BY id
LIMIT 100
