// The analysts' dashboard's saved counts (explorer.analytics.saved) for the keys asked, with
// the data version now: a saved count is served only when it was counted at this version and
// retention date. No child is read: the version is a count from Neo4j's count store.
// Returns: version (int: how many DataChange marks), saved (list of {gap, key, version,
//          retained_on, groups (JSON text), counted_at}).
// Params: $keys (list of string: gap|date|definition).
MATCH (d:DataChange)
WITH count(d) AS version
OPTIONAL MATCH (c:GapCounts) WHERE c.key IN $keys
RETURN version, collect(c {.gap, .key, .version, .retained_on, .groups, .counted_at}) AS saved
