// One child's basic record by id: id, given_name, family_name, date_of_birth, gender; no rows if absent.
// Params: $id (string).
// policy: none (a test's read-back of a stored record, tests/test_localdb.py; never run by the app)
MATCH (c:Child {id: $id})
RETURN c.id AS id, c.given_name AS given_name, c.family_name AS family_name,
       c.date_of_birth AS date_of_birth, c.gender AS gender
