// The practitioner and child of each of the given ids that is a stored involvement, so that
// validation can refuse a feed that gives an existing involvement id to another practitioner
// or child (which the uniqueness of involvement ids would otherwise refuse part-way through a
// load).
// Returns: id, practitioner_id, child_id. Params: $ids (a list of involvement ids).
UNWIND $ids AS id
MATCH (p:Practitioner)-[r:INVOLVED_WITH {id: id}]->(c:Child)
RETURN r.id AS id, p.id AS practitioner_id, c.id AS child_id
