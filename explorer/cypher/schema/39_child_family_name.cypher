// The management team's list of every child, a page at a time by family name: read in this
// index's order and stopped after the page (cypher/children_all.cypher), not sorted whole.
CREATE INDEX child_family_name IF NOT EXISTS FOR (c:Child) ON (c.family_name)
