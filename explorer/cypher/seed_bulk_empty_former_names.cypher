// After the offline import (explorer.seed.bulk): the importer cannot write an empty list, so
// a child whose seed row had no former names (the column's default, an empty list) has none
// stored; the online loader stores the empty list. Only run when the seed's children file
// has the column, where every row holds a list: then a child with none imported had [].
// Params: none. Returns: nothing.
// scan: once, after the import, every child is read to find those with no former names
MATCH (c:Child)
WHERE c.former_names IS NULL
CALL (c) {
  SET c.former_names = []
} IN TRANSACTIONS OF 20000 ROWS
