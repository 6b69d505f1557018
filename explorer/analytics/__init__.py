"""Service-gap analysis for analysts: gap reports, caseloads, single points of failure,
de-identified network views.

- ``networks``: pure networkx functions over the family-practitioner-service graph;
- ``gaps``: the gap reports (one named query each in ``cypher/gap_*.cypher``), their
  filters, the counts per local authority with disclosure control applied, and the
  de-identified lists behind them;
- ``network_view``: the de-identified network of one local authority, laid out on the
  server.

Every record leaves this package through ``explorer.policy`` (pseudonyms, age bands, area)
and every count through ``policy.suppress`` / ``policy.suppress_table``.
"""
