// Upserts a batch of relationships of one type from a seed, identified by r.key
// (the involvement id, or the ends and start date joined).
// Returns: outcome ('created' | 'updated' | 'unchanged'), count.
// Params: $rows (list of maps: start, end, key, props).
// vary START: Child, Adult, Practitioner
// vary TYPE: LIVES_IN, PARENT_OF, CARER_OF, WORKS_FOR, INVOLVED_WITH, ATTENDS, REGISTERED_WITH
// vary END: Child, Household, Service
UNWIND $rows AS row
MATCH (a:{{START}} {id: row.start})
MATCH (b:{{END}} {id: row.end})
OPTIONAL MATCH (a)-[old:{{TYPE}} {key: row.key}]->(b)
WITH a, b, row, old,
     [k IN keys(row.props)
        WHERE NOT (old[k] = row.props[k] OR (old[k] IS NULL AND row.props[k] IS NULL))] AS changed
MERGE (a)-[r:{{TYPE}} {key: row.key}]->(b)
SET r += row.props
RETURN CASE
         WHEN old IS NULL THEN 'created'
         WHEN size(changed) > 0 THEN 'updated'
         ELSE 'unchanged'
       END AS outcome, count(*) AS count
