// Records that this transaction changed children's data (a seed batch that created, updated or
// ended something; a retention batch): run in the same transaction as the change, so the
// change and its mark commit together or not at all. The data version analysts' saved counts
// are checked against is how many marks there are (gap_counts_saved), which only grows. Each
// mark is a new node: no lock shared by concurrent batches (one counter node would make every
// batch wait on it to commit). No time: a load stopped and run again leaves the same marks as
// one run straight through (the loader's tests compare the two graphs).
// Returns: nothing. Params: $by (what changed the data: 'seed', 'retention' or 'cli').
CREATE (:DataChange {by: $by})
