// The ids of every node of one label, so an incremental feed may refer to them.
// Returns: id. Params: none.
// vary LABEL: Child, Adult, Household, Practitioner, Service
// scan: validating a feed needs every stored id of the label
MATCH (n:{{LABEL}})
RETURN n.id AS id
