// How many nodes of each seed label and relationships of each seed type are stored, from the
// count store (no scan), in one statement: a first load on a server just started paid for
// planning fourteen one-label checks and six id reads of labels that were empty anyway.
// Returns: one row, one column per label and type (Child, Adult, ..., PurgedChild (the
// tombstones of purged children), LIVES_IN, ...). Params: none.
RETURN COUNT { MATCH (:Household) } AS Household, COUNT { MATCH (:Adult) } AS Adult,
       COUNT { MATCH (:Child) } AS Child, COUNT { MATCH (:Practitioner) } AS Practitioner,
       COUNT { MATCH (:Service) } AS Service, COUNT { MATCH (:Conference) } AS Conference,
       COUNT { MATCH (:Plan) } AS Plan, COUNT { MATCH (:PurgedChild) } AS PurgedChild,
       COUNT { MATCH ()-[:LIVES_IN]->() } AS LIVES_IN, COUNT { MATCH ()-[:PARENT_OF]->() } AS PARENT_OF,
       COUNT { MATCH ()-[:CARER_OF]->() } AS CARER_OF, COUNT { MATCH ()-[:WORKS_FOR]->() } AS WORKS_FOR,
       COUNT { MATCH ()-[:INVOLVED_WITH]->() } AS INVOLVED_WITH,
       COUNT { MATCH ()-[:ATTENDS]->() } AS ATTENDS,
       COUNT { MATCH ()-[:REGISTERED_WITH]->() } AS REGISTERED_WITH
