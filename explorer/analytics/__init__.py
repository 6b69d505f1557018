"""Service-gap analysis for analysts: gap reports, caseloads, single points of failure,
de-identified network views.

One module per idea (docs/analytics.md, "Code"):

- ``access``: every entry point takes the viewer and checks, through the policy, that it
  may see analysts' (de-identified) data, raising the app's 403 otherwise;
- ``catalogue``: the gaps (one named query each in ``cypher/gap_*.cypher``);
- ``filters``: what an analyst narrows a report to, parsed from the request;
- ``records`` and ``families``: the de-identified records behind each gap;
- ``suppression``: counts per area with disclosure control applied;
- ``counting``: the dashboard's counts, counted in Cypher (``cypher/gap_*_counts.cypher``);
- ``gaps``: the dashboard (and the public names of the modules above);
- ``caseloads``, ``overview``, ``network_view``: the caseload distribution, the analytics
  page, the de-identified network of one local authority laid out on the server;
- ``networks``: pure networkx functions over the family-practitioner-service graph.

Every record leaves this package through ``explorer.policy`` (pseudonyms, age bands, area)
and every count through ``policy.suppress`` / ``policy.suppress_table``.
"""
