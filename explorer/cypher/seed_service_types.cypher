// Each stored service's id and type, so a feed's school and GP links can be checked.
// Returns: id, type. Params: none.
// scan: validating a feed needs every stored service's type
MATCH (s:Service)
RETURN s.id AS id, s.type AS type
