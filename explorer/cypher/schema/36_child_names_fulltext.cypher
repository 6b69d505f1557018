// The management team's name search, which has no smaller scope to start from: a full-text
// index on the names, so a fragment finds its candidates without reading every child
// (cypher/children_search_by_name.cypher). Former names are indexed too; the query, not the
// index, decides who may match on them. The analyzer keeps stop words: "An" is a name.
CREATE FULLTEXT INDEX child_names IF NOT EXISTS FOR (c:Child) ON EACH [c.given_name, c.family_name, c.former_names] OPTIONS {indexConfig: {`fulltext.analyzer`: 'standard-no-stop-words'}}
