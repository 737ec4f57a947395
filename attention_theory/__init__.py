"""Attention theory: continuum attention neural operators and linear attention as Hebbian memory."""
