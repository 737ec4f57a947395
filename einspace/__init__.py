"""einspace: a probabilistic context-free grammar of neural architectures, compiled to Flax NNX."""
