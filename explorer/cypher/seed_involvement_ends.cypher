// The practitioner and child of every stored involvement, so that validation can refuse a
// feed that gives an existing involvement id to another practitioner or child (which the
// uniqueness of involvement ids would otherwise refuse part-way through a load).
// Returns: id, practitioner_id, child_id. Params: none.
// scan: every involvement, once per incremental load (as seed_ids reads every node's id)
MATCH (p:Practitioner)-[r:INVOLVED_WITH]->(c:Child)
RETURN r.id AS id, p.id AS practitioner_id, c.id AS child_id
