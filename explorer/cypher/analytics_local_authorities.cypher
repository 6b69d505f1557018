// The local authorities named by households and services, for the analysts' filters.
// Returns: local_authority.
// Params: none.
// scan: the list of areas is read from every household and service
CALL () {
  MATCH (h:Household) RETURN DISTINCT h.local_authority AS local_authority
  UNION
  MATCH (s:Service) RETURN DISTINCT s.local_authority AS local_authority
}
WITH local_authority WHERE local_authority IS NOT NULL
RETURN local_authority ORDER BY local_authority
