"""Buffered uniform draws that leave the caller's Generator exactly where scalar draws would.

The sampler draws thousands of scalars per architecture, and `Generator.random()` costs about
0.5 us a call in Python. `Uniforms` draws them in blocks instead. Block draws yield the same
numbers in the same order (`random(n)` consumes one 64-bit output per double, as n scalar calls
do), but they consume more of the stream than is used. `sync()` therefore rewinds the bit
generator to where the block began and advances it by the number of values actually used, so
every later use of the Generator (the next sample, a mutation) sees exactly the stream it would
have seen with scalar draws: a seed gives the same architectures either way.

Only bit generators that can `advance` (PCG64, the `default_rng` one, PCG64DXSM, Philox) are
buffered; any other Generator or RNG object falls back to scalar `random()` calls.
"""

from __future__ import annotations

import numpy as np

_SCALAR_FIRST = 16  # draws per epoch taken one by one: short derivations never pay a block
_FIRST_BLOCK = 64
_MAX_BLOCK = 4096


class Uniforms:
    """Uniform [0, 1) doubles from `rng`, in the order `rng.random()` would give them."""

    def __init__(self, rng):
        self.rng = rng
        bitgen = getattr(rng, "bit_generator", None)
        self.buffered = isinstance(rng, np.random.Generator) and hasattr(bitgen, "advance")
        self.bitgen = bitgen
        self.start = None  # bit generator state before the first block of this epoch
        self.used = 0  # values handed out since `start`
        self.block: list[float] = []
        self.pos = 0
        self.scalar_left = _SCALAR_FIRST

    def __call__(self) -> float:
        if self.pos < len(self.block):
            self.pos += 1
            return self.block[self.pos - 1]
        if not self.buffered or self.scalar_left:
            # saving and restoring the bit generator state costs about 20 scalar draws
            self.scalar_left -= 1
            return float(self.rng.random())
        if self.start is None:
            self.start = self.bitgen.state
            self.used = 0
        # blocks grow geometrically: short derivations waste little, long ones call numpy rarely
        self.used += self.pos
        size = min(_MAX_BLOCK, max(_FIRST_BLOCK, 2 * len(self.block)))
        self.block = self.rng.random(size).tolist()
        self.pos = 1
        return self.block[0]

    def sync(self) -> None:
        """Put the Generator where scalar draws would have left it; drop the unused block."""
        if self.start is not None:
            self.bitgen.state = self.start
            self.bitgen.advance(self.used + self.pos)
            # advance() drops the cached half of a 64-bit draw that 32-bit draws (small
            # `integers`) keep; doubles never touch it, so scalar draws would have kept it.
            state = self.bitgen.state
            for key in ("has_uint32", "uinteger"):
                if key in self.start:
                    state[key] = self.start[key]
            self.bitgen.state = state
        self.start, self.used, self.block, self.pos = None, 0, [], 0
        self.scalar_left = _SCALAR_FIRST
