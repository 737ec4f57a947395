"""The valid-by-construction sampler.

Top-down derivation with symbolic shapes: each choice is drawn only among options whose shape
rule accepts the current context, whose branch arity fits, and whose parameters, activation
memory, node count and depth stay within `Limits` (checked before anything is added). When a
context has no valid option the sampler backtracks: the failed choice is removed and another
is drawn (renormalised); a choice point gives up after `_TRIES` options and its parent
backtracks in turn. A step budget bounds the work; past it the sample restarts with the same
Generator, so results are deterministic from the seed.
"""

from __future__ import annotations

from bisect import bisect_right
from itertools import accumulate, islice

from einspace.grammar import ops_unary
from einspace.grammar.feature import Feature, feature_for_input
from einspace.grammar.grammar import MODULE_RULES, ROOT_RULES, Grammar
from einspace.grammar.ops import get_op
from einspace.sampler.limits import Limits
from einspace.sampler.uniforms import Uniforms
from einspace.tree.infer import BYTES_PER_ELEMENT
from einspace.tree.node import Node

_TRIES = 4
_AGG_RETRIES = 3


class SamplingError(RuntimeError):
    """No valid architecture was found within the limits and the restart budget."""


class _Restart(Exception):
    pass


class Sampler:
    """Samples derivation trees from `grammar` for one input feature within `limits`.

    rng: a numpy Generator, the only source of randomness. Budgets (`nodes`, `params`,
    `act`) can be pre-charged, which mutation uses to regenerate a subtree in place.
    """

    def __init__(self, grammar: Grammar, limits: Limits, rng):
        self.grammar, self.limits, self.rng = grammar, limits, rng
        self.random = Uniforms(rng)  # rng.random() in blocks; synced back when draw() returns
        self.slots = {}  # slot -> (items (node, spec), weights, cumulative weights, total)
        for slot, opts in grammar.options.items():
            opts = [o for o in opts if o.weight > 0]
            weights = [o.weight for o in opts]
            self.slots[slot] = ([(Node(o.op, o.args), get_op(o.op)) for o in opts], weights,
                                list(accumulate(weights)), sum(weights))
        self.module_w = [grammar.module_probs[r] for r in MODULE_RULES]
        self.root_w = [grammar.root_probs[r] for r in ROOT_RULES]
        # The unrestricted rule draws (no depth cap, no excluded rule) are by far the most
        # common: their cumulative weights are computed once.
        self.rule_tables = {root: (rules, w, list(accumulate(w)), sum(w)) for root, rules, w in
                            ((False, MODULE_RULES, self.module_w), (True, ROOT_RULES, self.root_w))}
        self.max_act = limits.max_activation_bytes // BYTES_PER_ELEMENT
        self.max_flops = limits.max_flops if limits.max_flops is not None else float("inf")
        self.reset()

    def reset(self, nodes: int = 0, params: int = 0, act: int = 0, flops: int = 0) -> None:
        # pending: modules queued but not yet expanded; each reserves one node so that a
        # computation leaf always remains affordable and the node limit never forces a failure.
        self.nodes, self.params, self.act, self.steps, self.pending = nodes, params, act, 0, 0
        self.flops = flops

    def _room(self, need: int) -> bool:
        return self.nodes + need + self.pending <= self.limits.max_nodes

    def _snap(self):
        return (self.nodes, self.params, self.act, self.pending, self.flops)

    def _restore(self, snap) -> None:
        self.nodes, self.params, self.act, self.pending, self.flops = snap

    # ----- helpers -----
    def _weighted(self, items: list, weights: list, cum: list | None = None, total: float | None = None):
        """Yield items lazily in weighted random order without replacement (zero weights never).

        The first draw bisects the cumulative weights (most draws are accepted at once); the hot
        paths inline it (`_first`) and fall back to `_rest`, drawing the same random numbers."""
        if total is None:
            total = sum(weights)
        if not items or total <= 0:
            return
        if cum is None:
            cum = list(accumulate(weights))
        j = self._first(cum, total, len(items))
        yield items[j]
        yield from self._rest(items, weights, j, total)

    def _first(self, cum: list, total: float, n: int) -> int:
        return min(bisect_right(cum, self.random() * total), n - 1)

    def _rest(self, items: list, weights: list, j: int, total: float):
        """The items other than `j`, in weighted random order without replacement."""
        alive = [i for i, w in enumerate(weights) if w > 0 and i != j]
        total -= weights[j]
        while alive:
            r = self.random() * total
            k = len(alive) - 1
            for t, i in enumerate(alive):
                r -= weights[i]
                if r < 0:
                    k = t
                    break
            i = alive.pop(k)
            total -= weights[i]
            yield items[i]

    def _fits(self, params: int, act: int, flops: int = 0) -> bool:
        return (self.params + params <= self.limits.max_params and self.act + act <= self.max_act
                and self.flops + flops <= self.max_flops)

    # ----- rules -----
    def module(self, f: Feature, depth: int, copies: int, *, root: bool = False,
               exclude: Node | None = None):
        """Expand M (or S when root) in context f; returns (node, out feature) or None."""
        self.steps += 1
        if self.steps > self.step_budget:
            raise _Restart
        rules, weights, cum, total = self.rule_tables[root]
        if depth >= self.limits.max_depth or exclude is not None:
            if depth >= self.limits.max_depth:
                weights = [w if r == "computation" else 0.0 for r, w in zip(rules, weights)]
            if exclude is not None:
                weights = [0.0 if (r == exclude.op) else w for r, w in zip(rules, weights)]
            cum, total = list(accumulate(weights)), sum(weights)
        if total <= 0:
            return None
        j = self._first(cum, total, len(rules))
        snap = self._snap()
        res = getattr(self, "_" + rules[j])(f, depth, copies, exclude)
        if res is not None:
            return res
        self._restore(snap)
        for rule in islice(self._rest(rules, weights, j, total), _TRIES - 1):
            snap = self._snap()
            res = getattr(self, "_" + rule)(f, depth, copies, exclude)
            if res is not None:
                return res
            self._restore(snap)
        return None

    def _draw_valid(self, slot: str, accept):
        """Weighted draw among the slot's options, redrawing without the rejected ones until
        `accept(node, spec)` returns a payload (or the options run out)."""
        items, weights, cum, total = self.slots[slot]
        if not items or total <= 0:
            return None
        j = self._first(cum, total, len(items))
        payload = accept(*items[j])
        if payload is not None:
            return items[j][0], payload
        for node, spec in self._rest(items, weights, j, total):
            payload = accept(node, spec)
            if payload is not None:
                return node, payload
        return None

    def _unary(self, node: Node, spec, f: Feature, grid=()):
        """(out, params, activation elements, flops) of one copy of unary option `node` on `f`
        (col2im: on `grid`), or None where it does not apply. (Memoising this measured slower:
        a context repeats too rarely within one sample to pay for the dict.)"""
        args = grid if spec.needs_grid else node.args
        out = spec.shape(f, args)
        info = None if out is None else (out, spec.params(f, args), out.size if spec.moves_data else 0,
                                         spec.flops(f, args))
        return info

    def _computation(self, f, depth, copies, exclude):
        if not self._room(1):
            return None

        def accept(node, spec):
            if exclude is not None and node == exclude:
                return None
            info = self._unary(node, spec, f)
            if info is None:
                return None
            out, p, a, fl = info
            p, a, fl = copies * p, copies * a, copies * fl
            return (out, p, a, fl) if self._fits(p, a, fl) else None

        res = self._draw_valid("computation", accept)
        if res is None:
            return None
        node, (out, p, a, fl) = res
        self.nodes += 1
        self.params += p
        self.act += a
        self.flops += fl
        return node, out

    def _sequential(self, f, depth, copies, exclude):
        if not self._room(3):
            return None
        self.nodes += 1
        self.pending += 1
        first = self.module(f, depth + 1, copies)
        if first is None:
            return None
        self.pending -= 1
        second = self.module(first[1], depth + 1, copies)
        if second is None:
            return None
        return Node("sequential", (), (first[0], second[0])), second[1]

    def _aggregate(self, outs: tuple[Feature, ...], copies: int):
        def accept(node, spec):
            if len(outs) > spec.max_arity:
                return None
            out = spec.combine(outs, node.args)
            if out is None or not self._fits(0, copies * out.size, copies * spec.flops(outs, node.args)):
                return None
            return out, copies * spec.flops(outs, node.args)

        res = self._draw_valid("aggregation", accept)
        if res is None:
            return None
        node, (out, fl) = res
        self.act += copies * out.size
        self.flops += fl
        return node, out

    def _branching(self, f, depth, copies, exclude):
        if not self._room(4):
            return None
        tries = 0
        for bnode, spec in self._weighted(*self.slots["branching"]):
            inner = spec.split(f, bnode.args)
            if inner is None:
                continue  # not applicable here: a rejected draw, not a try
            b = spec.factor(bnode.args)
            if (b == 2 and not self._room(5)) or not self._fits(0, copies * inner.size):
                continue  # the aggregation's output would not fit: do not grow a doomed branch
            tries += 1
            if tries > _TRIES:
                break
            snap = self._snap()
            self.nodes += 3
            # Reserve the aggregation's likely output (b inputs' worth) while the inner modules
            # grow, so that they cannot eat the activation budget the aggregation needs.
            reserve = copies * inner.size * b
            if not self._fits(0, reserve):
                self._restore(snap)
                continue
            self.act += reserve
            res = self._branch_inner(inner, b, depth, copies, reserve)
            if res is not None:
                inner_nodes, (anode, out) = res
                return Node("branching", (), (bnode, *inner_nodes, anode)), out
            self._restore(snap)
        return None

    def _branch_inner(self, inner: Feature, b: int, depth: int, copies: int, reserve: int):
        if b != 2:  # one module, repeated b times with separate parameters
            m = self.module(inner, depth + 1, copies * b)
            if m is None:
                return None
            self.act -= reserve
            agg = self._aggregate((m[1],) * b, copies)
            return None if agg is None else ((m[0],), agg)
        self.pending += 1
        m1 = self.module(inner, depth + 1, copies)
        if m1 is None:
            return None
        self.pending -= 1
        for _ in range(_AGG_RETRIES):
            snap = self._snap()
            m2 = self.module(inner, depth + 1, copies)
            if m2 is None:
                return None
            self.act -= reserve
            agg = self._aggregate((m1[1], m2[1]), copies)
            if agg is not None:
                return (m1[0], m2[0]), agg
            self._restore(snap)
        return None

    def _routing(self, f, depth, copies, exclude):
        if not self._room(4):
            return None
        tries = 0
        for pnode, pspec in self._weighted(*self.slots["prerouting"]):
            info = self._unary(pnode, pspec, f)
            if info is None:
                continue  # not applicable here: a rejected draw, not a try
            mid, _, pact, pflops = info
            pact, pflops = copies * pact, copies * pflops
            if not self._fits(0, pact, pflops):
                continue
            tries += 1
            if tries > _TRIES:
                break
            snap = self._snap()
            self.nodes += 3
            self.act += pact
            self.flops += pflops
            inner = self.module(mid, depth + 1, copies)
            if inner is not None:
                grid = ops_unary.im2col_grid(f, pnode.args) if pnode.op == "im2col" else ()
                post = self._post(inner[1], grid, copies)
                if post is not None:
                    return Node("routing", (), (pnode, inner[0], post[0])), post[1]
            self._restore(snap)
        return None

    def _post(self, f: Feature, grid, copies):
        def accept(node, spec):
            if spec.needs_grid and not grid:
                return None
            info = self._unary(node, spec, f, grid if spec.needs_grid else ())
            if info is None:
                return None
            out, _, a, fl = info
            a, fl = copies * a, copies * fl
            return (out, a, fl) if self._fits(0, a, fl) else None

        res = self._draw_valid("postrouting", accept)
        if res is None:
            return None
        node, (out, a, fl) = res
        self.act += a
        self.flops += fl
        return node, out

    @property
    def step_budget(self) -> int:
        return 2 * self.limits.max_nodes + 100

    def draw(self, f: Feature, *, depth: int = 0, copies: int = 1, root: bool = True,
             exclude: Node | None = None, charge: tuple[int, ...] = (0, 0, 0, 0)) -> Node | None:
        """One attempt: a tree (or subtree) for context f, or None if this attempt failed."""
        self.reset(*charge)
        try:
            res = self.module(f, depth, copies, root=root, exclude=exclude)
        except _Restart:
            return None
        finally:
            self.random.sync()
        return None if res is None else res[0]


def sample(grammar: Grammar, input_shape: tuple[int, ...], rng, limits: Limits | None = None) -> Node:
    """One architecture (a derivation tree rooted at S) for inputs of `input_shape`.

    grammar: the probability table; input_shape: (C, H, W) or (S, D) without batch;
    rng: numpy Generator (the only randomness); limits: resource limits (default Limits()).
    Raises SamplingError after `limits.max_restarts` failed attempts.
    """
    limits = limits or Limits()
    f = feature_for_input(input_shape)
    sampler = Sampler(grammar, limits, rng)
    for _ in range(limits.max_restarts):
        tree = sampler.draw(f)
        if tree is not None:
            return tree
    raise SamplingError(f"no architecture for input {f} within {limits} after "
                        f"{limits.max_restarts} attempts; relax the limits")
