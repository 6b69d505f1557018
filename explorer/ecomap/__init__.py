"""A child's ecomap: the child's view (cut by the policy) as nodes, edges and a fixed layout.

Everything drawn comes from ``explorer.children.child_view``: the root child's view, and at
depth 2 (or when a node is expanded) the views of the other children in it, each read
through the policy in its own right (None means nothing more to draw). This package never
reads the database and never decides who may see what; it filters by date for display,
lays the network out and hands nodes, edges and options built with pyvis to the page as JSON.

The layout is child-centred and deterministic: the child at the centre; the family
(households, parents and carers, siblings) in an arc at the top of the first ring; the
practitioners, school and GP round the rest of the second, so that no line from the child to
a professional crosses the family; each service just outside its practitioners; anything
reached through another child's view beyond, beside that child. People are grouped with the
household, school, practice or service they belong to. Physics is off, so the same network is
drawn the same every time (see :func:`layout`).

One module per idea, each importing only those before it:

- ``dates``: a view as it stood on a day (``as_of``), the plan badge, names and periods;
- ``builder``: views as nodes and edges merged by id (kinds, rings, the node cap);
- ``grouping``: big networks' services and siblings drawn as groups;
- ``curves``: lines as vis-network draws them, bent clear of nodes;
- ``labels``: where nodes and labels are drawn, and edge labels placed clear of each other;
- ``rings``: the layout, in rings;
- ``memo``: geometry already worked out, for the next request drawing the same network;
- ``vis``: pyvis's nodes, edges and options, and the legend;
- ``network``: the ecomap put together (``gather``, ``finish``, ``build``) and paths in it.

The names callers use are re-exported here, so ``from explorer import ecomap`` is the one
import a route, the conference list or a benchmark needs.
"""

from explorer.ecomap import memo
from explorer.ecomap.builder import (
    FAMILY_RING,
    KIND_ORDER,
    KINDS,
    NODE_CAP,
    PROFESSIONAL_RING,
    ROOT_RING,
)
from explorer.ecomap.dates import STATUS_NAMES, as_of, plan_badge
from explorer.ecomap.grouping import (
    GROUP_AT,
    GROUP_WHEN_NODES,
    SIBLINGS_GROUP,
    group_services,
    group_siblings,
)
from explorer.ecomap.labels import edge_label_box, node_boxes, node_overlaps, place_labels, text_size
from explorer.ecomap.network import (
    MAX_EXPAND,
    Gathered,
    build,
    finish,
    gather,
    shortest_path,
    sibling_comparison,
    view_warnings,
)
from explorer.ecomap.rings import RING_GAP, drawn_label, layout
from explorer.ecomap.vis import legend

__all__ = [
    "FAMILY_RING", "GROUP_AT", "GROUP_WHEN_NODES", "KINDS", "KIND_ORDER", "MAX_EXPAND", "NODE_CAP",
    "PROFESSIONAL_RING", "RING_GAP", "ROOT_RING", "SIBLINGS_GROUP", "STATUS_NAMES", "Gathered",
    "as_of", "build", "drawn_label", "edge_label_box", "finish", "gather", "group_services",
    "group_siblings", "layout", "legend", "memo", "node_boxes", "node_overlaps", "place_labels",
    "plan_badge", "shortest_path", "sibling_comparison", "text_size", "view_warnings",
]
