// A child's parents and carers, with contact details.
// Returns: adult (map), relationship ('PARENT_OF' | 'CARER_OF'), parental_responsibility.
// Params: $id.
// policy: identified.child_view
MATCH (a:Adult)-[r:PARENT_OF|CARER_OF]->(:Child {id: $id})
RETURN properties(a) AS adult, type(r) AS relationship, r.parental_responsibility AS parental_responsibility
ORDER BY relationship DESC, a.family_name, a.given_name
