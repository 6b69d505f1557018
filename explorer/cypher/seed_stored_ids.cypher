// Which of the given ids are stored as nodes of one label, so that a feed may refer to them:
// asked about the ids a feed names, a batch at a time (reading every stored id cost gigabytes
// at 11 million children).
// Returns: id. Params: $ids (a list of ids).
// vary LABEL: Child, Adult, Household, Practitioner
UNWIND $ids AS id
MATCH (n:{{LABEL}} {id: id})
RETURN n.id AS id
