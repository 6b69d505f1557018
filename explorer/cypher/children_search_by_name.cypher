// The management team's search when a name is given (and no id or date of birth, which find
// fewer candidates): candidates from the full-text index child_names
// (cypher/schema/36_child_names_fulltext.cypher), then the same test as
// children_search.cypher (the fragment in the name, or in a former name); one page and how
// many there are in all. $lucene asks for every word of the fragment inside some indexed
// name (built by explorer.children.name_query): the index only narrows, the WHERE decides.
// At most $most candidates are read: past that the search is too broad to answer (too_many,
// no children), as a fragment like "son" is among 11 million children (a million candidates,
// 6 s to read and sort). The index stops after $most + 1, so that answer costs a count of
// the index's own matches, not a read of each candidate. Every candidate is one the
// management team may match (they see archived records and shielded children's former names),
// so the answer tells them nothing about a child they could not find.
// Returns: too_many (boolean), total (int), children (list of maps, ordered by family name,
// given name, id; none when too_many).
// Params: $lucene, $text (lower-case fragment), $see_shielded, $skip, $limit, $most,
// $retained (policy.retained: archived records only for the management team, when it asks).
// policy: identified.scope_params, retention.is_retained
CALL db.index.fulltext.queryNodes('child_names', $lucene, {limit: $most + 1}) YIELD node
WITH collect(node) AS candidates
WITH size(candidates) > $most AS too_many, candidates
CALL (too_many, candidates) {
  UNWIND CASE WHEN too_many THEN [] ELSE candidates END AS c
  WITH c
  WHERE c:Child
    AND ($retained.archived OR c.archived_at IS NULL AND (c.date_of_birth IS NULL OR c.date_of_birth > $retained.born_after OR coalesce(c.care_leaver AND c.care_leaver_consent, false) AND c.date_of_birth > $retained.leaver_born_after))
    AND (toLower(c.given_name + ' ' + c.family_name) CONTAINS $text
         OR ((NOT coalesce(c.shielded, false) OR $see_shielded)
             AND any(n IN coalesce(c.former_names, []) WHERE toLower(n) CONTAINS $text)))
  WITH c ORDER BY c.family_name, c.given_name, c.id
  RETURN collect(c) AS found
}
RETURN too_many, size(found) AS total, [c IN found[$skip..$skip + $limit] | properties(c)] AS children
