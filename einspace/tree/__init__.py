"""Derivation trees: the immutable node type, text/JSON/hash, symbolic inference, statistics."""

from einspace.tree.node import NONTERMINALS, Node, Tree, branching, routing, sequential, terminal
from einspace.tree.text import ParseError, canonical_hash, from_json, parse, to_json, to_text
from einspace.tree.infer import Analysis, ArchitectureError, NodeInfo, infer
from einspace.tree.stats import OfficialStats, TreeStats, official_stats, tree_stats
from einspace.tree.pretty import render, rich_tree
from einspace.tree.draw import draw_png, to_dot
from einspace.tree.load import read_architecture

__all__ = [
    "NONTERMINALS", "Node", "Tree", "branching", "routing", "sequential", "terminal", "ParseError",
    "canonical_hash", "from_json", "parse", "to_json", "to_text", "Analysis", "ArchitectureError",
    "NodeInfo", "infer", "OfficialStats", "TreeStats", "official_stats", "tree_stats", "render", "rich_tree", "draw_png", "to_dot",
    "read_architecture",
]
