// Children's whole views in one query: each child of $ids only if the viewer's scope reaches
// it (child_in_scope's test), or it is one of $siblings_shown, with every part of its view
// collected into a list (households, carers, siblings, involvements, universal services,
// conferences, previous plans), and the viewer's services. One query in place of nine a child
// (and four a sibling): each query costs the app about a quarter of a millisecond of CPU
// before a row is read (docs/serve-benchmarks.md, issue 14).
// $siblings_shown: the siblings that a child's view, already cut by the policy at the
// 'network' level, shows (identified.sibling_view: what a chair sees of a chaired child's
// siblings); the policy then cuts each to the sibling level. Empty for every other read.
// Siblings are children sharing a parent, or who lived in the same household at the same
// time (derived, never stored): a carer alone does not make siblings (a foster carer's
// children over the years are not each other's), nor does a household lived in at different
// times (a refuge, a foster home). A household member or sibling whose time there does not
// overlap the child's is no part of its network. A missing since or until is an open end.
// A part not named in $parts is an empty list, and so is every part of a shielded child
// unless $read_shielded: those parts are not even read, so nothing hidden can leak by a later
// mistake. The policy's cut (identified.child_view, sibling_view) is applied in Python.
// Sensitive services: an involvement with one is read only when consent to share is recorded
// or the viewer's practitioner works for that service; it stays in the database otherwise.
// Returns: one row per child found: child (map), involved, chaired (bool: how the scope
// reached it), households, carers, siblings, involvements, universal, conferences,
// previous_plans (lists), viewer_services (ids of the services the viewer works for now).
// Params: $ids (list of child ids), $parts (list of part names), $read_shielded (bool),
// $today (date), $all (bool: management), $practitioner_id, $username, $siblings_shown (list),
// $archived_view (bool: the management team's archived view, where an archived child opens),
// $retained (policy.retained(today): the rule as it stands, for the child and everyone
// around it; only $archived_view lets an archived child itself through).
// policy: identified.scope_params, identified.child_view, identified.sibling_view, retention.is_retained, sensitive.involvement_visible
CALL () {
  OPTIONAL MATCH (:Practitioner {id: $practitioner_id})-[w:WORKS_FOR]->(vs:Service)
  WHERE w.until IS NULL
  RETURN collect(vs.id) AS viewer_services
}
UNWIND $ids AS id
MATCH (c:Child {id: id})
WITH c, viewer_services,
     EXISTS { MATCH (:Practitioner {id: $practitioner_id})-[i:INVOLVED_WITH]->(c)
              WHERE i.since <= $today AND (i.until IS NULL OR i.until >= $today) } AS involved,
     EXISTS { MATCH (:Conference {chair: $username})-[:ABOUT]->(c) } AS chaired
WHERE ($all OR involved OR chaired OR id IN $siblings_shown)
  AND ($archived_view OR $retained.archived OR c.archived_at IS NULL AND (c.date_of_birth IS NULL OR c.date_of_birth > $retained.born_after OR coalesce(c.care_leaver AND c.care_leaver_consent, false) AND c.date_of_birth > $retained.leaver_born_after))
WITH c, viewer_services, involved, chaired,
     ($read_shielded OR NOT coalesce(c.shielded, false)) AS open
CALL (c, open) {
  WITH c, open WHERE open AND 'households' IN $parts
  MATCH (c)-[l:LIVES_IN]->(h:Household)
  CALL (h, l) {
    MATCH (p)-[m:LIVES_IN]->(h)
    WHERE (l.since IS NULL OR m.until IS NULL OR m.until >= l.since)
      AND (m.since IS NULL OR l.until IS NULL OR m.since <= l.until)
      AND (NOT p:Child OR ($retained.archived OR p.archived_at IS NULL AND (p.date_of_birth IS NULL OR p.date_of_birth > $retained.born_after OR coalesce(p.care_leaver AND p.care_leaver_consent, false) AND p.date_of_birth > $retained.leaver_born_after)))
    RETURN collect({id: p.id, label: head(labels(p)), given_name: p.given_name,
                    family_name: p.family_name, date_of_birth: p.date_of_birth,
                    shielded: coalesce(p.shielded, false), since: m.since, until: m.until}) AS members
  }
  WITH h, l, members ORDER BY l.until IS NULL DESC, l.since DESC
  RETURN collect({household: properties(h), since: l.since, until: l.until,
                  members: members}) AS households
}
CALL (c, open) {
  WITH c, open WHERE open AND 'carers' IN $parts
  MATCH (a:Adult)-[r:PARENT_OF|CARER_OF]->(c)
  WITH a, r ORDER BY type(r) DESC, a.family_name, a.given_name
  RETURN collect({adult: properties(a), relationship: type(r),
                  parental_responsibility: r.parental_responsibility}) AS carers
}
CALL (c, open) {
  WITH c, open WHERE open AND 'siblings' IN $parts
  CALL (c) {
    MATCH (c)<-[:PARENT_OF]-(:Adult)-[:PARENT_OF]->(s:Child)
    WHERE s <> c
    RETURN s, 'parent' AS via
    UNION
    MATCH (c)-[l:LIVES_IN]->(:Household)<-[m:LIVES_IN]-(s:Child)
    WHERE s <> c
      AND (l.since IS NULL OR m.until IS NULL OR m.until >= l.since)
      AND (m.since IS NULL OR l.until IS NULL OR m.since <= l.until)
    RETURN s, 'household' AS via
  }
  WITH s, collect(DISTINCT via) AS via
  WHERE ($retained.archived OR s.archived_at IS NULL AND (s.date_of_birth IS NULL OR s.date_of_birth > $retained.born_after OR coalesce(s.care_leaver AND s.care_leaver_consent, false) AND s.date_of_birth > $retained.leaver_born_after))
  OPTIONAL MATCH (s)-[l:LIVES_IN]->(h:Household) WHERE l.until IS NULL
  WITH s, via, head(collect(h.id)) AS household_id
  ORDER BY s.date_of_birth, s.id
  RETURN collect({sibling: {id: s.id, given_name: s.given_name, family_name: s.family_name,
                            date_of_birth: s.date_of_birth, shielded: coalesce(s.shielded, false)},
                  via: via, household_id: household_id}) AS siblings
}
CALL (c, open) {
  WITH c, open WHERE open AND 'involvements' IN $parts
  MATCH (p:Practitioner)-[i:INVOLVED_WITH]->(c)
  MATCH (s:Service {id: i.service_id})
  WHERE (NOT coalesce(s.sensitive, false) OR coalesce(i.consent_to_share, false) OR EXISTS { MATCH (:Practitioner {id: $practitioner_id})-[w:WORKS_FOR]->(s) WHERE w.until IS NULL })
  WITH i, p, s ORDER BY i.until IS NULL DESC, i.since DESC, i.id
  RETURN collect({involvement: properties(i), practitioner: properties(p),
                  service: properties(s)}) AS involvements
}
CALL (c, open) {
  WITH c, open WHERE open AND 'universal' IN $parts
  MATCH (c)-[r:ATTENDS|REGISTERED_WITH]->(s:Service)
  WITH CASE type(r) WHEN 'ATTENDS' THEN 'school' ELSE 'gp_practice' END AS kind, s, r
  ORDER BY kind, r.until IS NULL DESC, r.since DESC
  RETURN collect({kind: kind, service: properties(s), since: r.since, until: r.until}) AS universal
}
CALL (c, open) {
  WITH c, open WHERE open AND 'conferences' IN $parts
  MATCH (k:Conference)-[:ABOUT]->(c)
  WITH k ORDER BY k.date DESC
  RETURN collect({conference: properties(k)}) AS conferences
}
CALL (c, open) {
  WITH c, open WHERE open AND 'previous_plans' IN $parts
  MATCH (c)-[:HAD_PLAN]->(p:Plan)
  WITH p ORDER BY p.start DESC
  RETURN collect({plan: p {.id, .category, .start, .end}}) AS previous_plans
}
RETURN properties(c) AS child, involved, chaired, households, carers, siblings, involvements,
       universal, conferences, previous_plans, viewer_services
