// What a purge may leave with no child: the households a batch of children lived in, and the
// adults who are their parents or carers or lived in those households, and those adults'
// households. Read in the purge's transaction, before the children go.
// Returns: household_ids, adult_ids. Params: $ids (child ids).
// policy: retention.purge_due
UNWIND $ids AS id
MATCH (c:Child {id: id})
OPTIONAL MATCH (c)-[:LIVES_IN]->(h:Household)
OPTIONAL MATCH (a:Adult)-[:PARENT_OF|CARER_OF]->(c)
WITH collect(DISTINCT h) AS homes, collect(DISTINCT a) AS carers
CALL (homes) {
  UNWIND homes AS h
  MATCH (a:Adult)-[:LIVES_IN]->(h)
  RETURN collect(DISTINCT a) AS residents
}
WITH homes, carers + [a IN residents WHERE NOT a IN carers] AS adults
CALL (adults) {
  UNWIND adults AS a
  MATCH (a)-[:LIVES_IN]->(h:Household)
  RETURN collect(DISTINCT h) AS their_homes
}
RETURN [h IN homes + [x IN their_homes WHERE NOT x IN homes] | h.id] AS household_ids,
       [a IN adults | a.id] AS adult_ids
