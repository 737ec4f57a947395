"""Seed architectures (ResNet18, WRN16-4, ViT, MLP-Mixer) as derivation trees."""

from einspace.seeds.architectures import (PAPER_PARAMS, SEEDS, conv, mlp_mixer, resnet18, residual,
                                          seed, vit, wrn16_4)

__all__ = ["PAPER_PARAMS", "SEEDS", "conv", "mlp_mixer", "resnet18", "residual", "seed", "vit",
           "wrn16_4"]
