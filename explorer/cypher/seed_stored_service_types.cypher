// The type of each of the given ids that is a stored service, so that a feed's school and GP
// links to stored services can be checked.
// Returns: id, type. Params: $ids (a list of service ids).
UNWIND $ids AS id
MATCH (s:Service {id: id})
RETURN s.id AS id, s.type AS type
