// One child's basic record by id: id, given_name, family_name, date_of_birth, gender; no rows if absent.
// Params: $id (string).
MATCH (c:Child {id: $id})
RETURN c.id AS id, c.given_name AS given_name, c.family_name AS family_name,
       c.date_of_birth AS date_of_birth, c.gender AS gender
