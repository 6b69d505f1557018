// The management team's count of every child (cypher/children_all.cypher) finds the care
// leavers whom the retention rule keeps past 18 through this index, not by reading every
// child over 18 (558,000 of them at 11 million children, 11 s from a cold page cache).
CREATE INDEX child_care_leaver IF NOT EXISTS FOR (c:Child) ON (c.care_leaver)
