"""SD 1.x U-Net and CLIP text encoder in PyTorch, with the original single-file checkpoint layout.

Module names are the checkpoint key fragments the Java loader walks (src/main/java/org/meg/unet/UNet.java,
org/meg/text/ClipTextEncoder.java): `state_dict()` of `UNet` is the part under `model.diffusion_model.`,
that of `ClipText` the part under `cond_stage_model.transformer.`. Parameter-free slots (SiLU, Dropout)
are kept as modules so the indices (`in_layers.2`, `out_layers.3`, `time_embed.2`) line up.

Sizes are a `UNetConfig` / `TextConfig` dataclass with SD 1.x defaults; `SMALL_*` is the trained ES model, `UE_*` the weaker UE model.
"""
import math
from dataclasses import dataclass, field

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass(frozen=True)
class UNetConfig:
    in_channels: int = 4                      # latent channels in
    out_channels: int = 4                     # epsilon channels out
    model_channels: int = 320                 # C0; also the timestep sinusoid width
    channel_mult: tuple = (1, 2, 4, 4)        # per-level multiplier of C0
    layers_per_block: int = 2                 # ResBlocks per down level (up levels: one more)
    attention: tuple = (True, True, True, False)  # spatial transformer after each ResBlock of a level
    heads: int = 8                            # attention heads (sidecar unet.attention_head_dim)
    context_dim: int = 768                    # cross-attention context width = text hidden
    groups: int = 32                          # GroupNorm groups


@dataclass(frozen=True)
class TextConfig:
    vocab_size: int = 49408                   # CLIP BPE vocabulary
    max_positions: int = 77                   # token positions
    hidden: int = 768                         # residual width
    layers: int = 12                          # encoder layers
    heads: int = 12                           # attention heads (sidecar text_encoder.num_attention_heads)
    intermediate: int = 3072                  # MLP width


SMALL_UNET = UNetConfig(model_channels=32, channel_mult=(1, 2, 2, 4), layers_per_block=1,
                        attention=(False, True, True, False), heads=4, context_dim=64)
SMALL_TEXT = TextConfig(hidden=64, layers=2, heads=2, intermediate=256)
# The weaker UE model (paper: the device runs a smaller generator): level 1 stays at 32 channels, levels 2-3
# at 64, one text layer; 1.60 M U-Net parameters against the ES model's 3.78 M, same latent space and context.
UE_UNET = UNetConfig(model_channels=32, channel_mult=(1, 1, 2, 2), layers_per_block=1,
                     attention=(False, True, True, False), heads=4, context_dim=64)
UE_TEXT = TextConfig(hidden=64, layers=1, heads=2, intermediate=128)
PROFILES = {"es": (SMALL_UNET, SMALL_TEXT), "ue": (UE_UNET, UE_TEXT)}


def sinusoid(t, dim):
    """diffusers get_timestep_embedding(flip_sin_to_cos=True, shift=0): [cos(t f) | sin(t f)], f_i = 10000^(-i/half)."""
    half = dim // 2
    freq = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float32) / half)
    arg = t.float()[:, None] * freq[None]
    return torch.cat([torch.cos(arg), torch.sin(arg)], dim=-1)


class ResBlock(nn.Module):
    def __init__(self, cin, cout, emb_dim, groups):
        super().__init__()
        self.in_layers = nn.Sequential(nn.GroupNorm(groups, cin, eps=1e-5), nn.SiLU(), nn.Conv2d(cin, cout, 3, padding=1))
        self.emb_layers = nn.Sequential(nn.SiLU(), nn.Linear(emb_dim, cout))
        self.out_layers = nn.Sequential(nn.GroupNorm(groups, cout, eps=1e-5), nn.SiLU(), nn.Dropout(0.0),
                                        nn.Conv2d(cout, cout, 3, padding=1))
        self.skip_connection = nn.Identity() if cin == cout else nn.Conv2d(cin, cout, 1)

    def forward(self, x, emb, context):
        h = self.in_layers(x)
        h = h + self.emb_layers(emb)[:, :, None, None]
        return self.skip_connection(x) + self.out_layers(h)


class CrossAttention(nn.Module):
    def __init__(self, dim, context_dim, heads):
        super().__init__()
        self.heads = heads
        self.to_q = nn.Linear(dim, dim, bias=False)
        self.to_k = nn.Linear(context_dim, dim, bias=False)
        self.to_v = nn.Linear(context_dim, dim, bias=False)
        self.to_out = nn.Sequential(nn.Linear(dim, dim), nn.Dropout(0.0))

    def forward(self, x, context):
        b, t, d = x.shape
        h = self.heads
        q = self.to_q(x).view(b, t, h, d // h).transpose(1, 2)                     # [B, heads, T, hd]
        k = self.to_k(context).view(b, -1, h, d // h).transpose(1, 2)              # [B, heads, S, hd]
        v = self.to_v(context).view(b, -1, h, d // h).transpose(1, 2)
        w = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d // h), dim=-1)     # [B, heads, T, S]
        return self.to_out((w @ v).transpose(1, 2).reshape(b, t, d))


class GEGLU(nn.Module):
    def __init__(self, dim, inner):
        super().__init__()
        self.proj = nn.Linear(dim, 2 * inner)

    def forward(self, x):
        value, gate = self.proj(x).chunk(2, dim=-1)
        return value * F.gelu(gate)


class FeedForward(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.net = nn.Sequential(GEGLU(dim, 4 * dim), nn.Dropout(0.0), nn.Linear(4 * dim, dim))

    def forward(self, x):
        return self.net(x)


class BasicTransformerBlock(nn.Module):
    def __init__(self, dim, context_dim, heads):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-5)
        self.attn1 = CrossAttention(dim, dim, heads)
        self.norm2 = nn.LayerNorm(dim, eps=1e-5)
        self.attn2 = CrossAttention(dim, context_dim, heads)
        self.norm3 = nn.LayerNorm(dim, eps=1e-5)
        self.ff = FeedForward(dim)

    def forward(self, x, context):
        n = self.norm1(x)
        x = x + self.attn1(n, n)
        x = x + self.attn2(self.norm2(x), context)
        return x + self.ff(self.norm3(x))


class SpatialTransformer(nn.Module):
    def __init__(self, c, context_dim, heads, groups):
        super().__init__()
        self.norm = nn.GroupNorm(groups, c, eps=1e-6)
        self.proj_in = nn.Conv2d(c, c, 1)
        self.transformer_blocks = nn.ModuleList([BasicTransformerBlock(c, context_dim, heads)])
        self.proj_out = nn.Conv2d(c, c, 1)

    def forward(self, x, emb, context):
        b, c, h, w = x.shape
        t = self.proj_in(self.norm(x)).reshape(b, c, h * w).transpose(1, 2)         # [B, h*w, C]
        for blk in self.transformer_blocks:
            t = blk(t, context)
        return self.proj_out(t.transpose(1, 2).reshape(b, c, h, w)) + x


class Downsample(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.op = nn.Conv2d(c, c, 3, stride=2, padding=1)

    def forward(self, x, emb, context):
        return self.op(x)


class Upsample(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv = nn.Conv2d(c, c, 3, padding=1)

    def forward(self, x, emb, context, size=None):
        return self.conv(F.interpolate(x, size=size, mode="nearest") if size else F.interpolate(x, scale_factor=2.0, mode="nearest"))


class ConvIn(nn.Module):
    """input_blocks.0.0: conv_in, in a one-element container so its key is `input_blocks.0.0.*`."""

    def __init__(self, cin, cout):
        super().__init__()
        self.add_module("0", nn.Conv2d(cin, cout, 3, padding=1))

    def forward(self, x, emb, context):
        return self._modules["0"](x)


class Seq(nn.Module):
    """TimestepEmbedSequential: children `0`, `1`, `2`, each called with (x, emb, context)."""

    def __init__(self, *layers):
        super().__init__()
        for i, m in enumerate(layers):
            self.add_module(str(i), m)

    def forward(self, x, emb, context, up_size=None):
        for m in self._modules.values():
            x = m(x, emb, context, up_size) if isinstance(m, Upsample) else m(x, emb, context)
        return x


class UNet(nn.Module):
    """eps = unet(x_t [B, 4, h, w], t [B], context [B, S, context_dim]); keys as under model.diffusion_model."""

    def __init__(self, cfg: UNetConfig):
        super().__init__()
        self.cfg = cfg
        c0, lpb, g = cfg.model_channels, cfg.layers_per_block, cfg.groups
        emb = 4 * c0
        self.time_embed = nn.Sequential(nn.Linear(c0, emb), nn.SiLU(), nn.Linear(emb, emb))

        def st(c):
            return SpatialTransformer(c, cfg.context_dim, cfg.heads, g)

        # 1. Down path; `skips` mirrors the skip stack's channel counts.
        blocks = [ConvIn(cfg.in_channels, c0)]
        skips = [c0]
        ch = c0
        levels = len(cfg.channel_mult)
        for level, m in enumerate(cfg.channel_mult):
            out = c0 * m
            for _ in range(lpb):
                layers = [ResBlock(ch, out, emb, g)] + ([st(out)] if cfg.attention[level] else [])
                blocks.append(Seq(*layers))
                ch = out
                skips.append(ch)
            if level < levels - 1:
                blocks.append(Seq(Downsample(ch)))
                skips.append(ch)
        self.input_blocks = nn.ModuleList(blocks)
        # 2. Middle.
        self.middle_block = Seq(ResBlock(ch, ch, emb, g), st(ch), ResBlock(ch, ch, emb, g))
        # 3. Up path.
        blocks = []
        for level in reversed(range(levels)):
            out = c0 * cfg.channel_mult[level]
            for j in range(lpb + 1):
                layers = [ResBlock(ch + skips.pop(), out, emb, g)]
                ch = out
                if cfg.attention[level]:
                    layers.append(st(out))
                if j == lpb and level > 0:
                    layers.append(Upsample(ch))
                blocks.append(Seq(*layers))
        self.output_blocks = nn.ModuleList(blocks)
        self.out = nn.Sequential(nn.GroupNorm(g, ch, eps=1e-5), nn.SiLU(), nn.Conv2d(ch, cfg.out_channels, 3, padding=1))

    def forward(self, x, t, context):
        emb = self.time_embed(sinusoid(t, self.cfg.model_channels))
        hs = []
        h = x
        for b in self.input_blocks:
            h = b(h, emb, context)
            hs.append(h)
        h = self.middle_block(h, emb, context)
        for b in self.output_blocks:
            skip = hs.pop()
            size = tuple(hs[-1].shape[-2:]) if hs else None
            h = b(torch.cat([h, skip], dim=1), emb, context, size)
        return self.out(h)


class ClipLayer(nn.Module):
    def __init__(self, cfg: TextConfig):
        super().__init__()
        h = cfg.hidden
        self.heads = cfg.heads
        self.layer_norm1 = nn.LayerNorm(h, eps=1e-5)
        self.self_attn = nn.Module()
        for n in ("q_proj", "k_proj", "v_proj", "out_proj"):
            self.self_attn.add_module(n, nn.Linear(h, h))
        self.layer_norm2 = nn.LayerNorm(h, eps=1e-5)
        self.mlp = nn.Module()
        self.mlp.fc1 = nn.Linear(h, cfg.intermediate)
        self.mlp.fc2 = nn.Linear(cfg.intermediate, h)

    def forward(self, x, mask):
        b, t, d = x.shape
        hh = self.heads
        a = self.self_attn
        n = self.layer_norm1(x)
        q, k, v = (p(n).view(b, t, hh, d // hh).transpose(1, 2) for p in (a.q_proj, a.k_proj, a.v_proj))
        w = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d // hh) + mask, dim=-1)   # [B, heads, T, T], causal
        x = x + a.out_proj((w @ v).transpose(1, 2).reshape(b, t, d))
        m = self.mlp.fc1(self.layer_norm2(x))
        return x + self.mlp.fc2(m * torch.sigmoid(1.702 * m))                          # quick_gelu


class ClipText(nn.Module):
    """Last hidden state [B, T, H] of token ids [B, T]; keys as under cond_stage_model.transformer."""

    def __init__(self, cfg: TextConfig):
        super().__init__()
        self.cfg = cfg
        self.text_model = nn.Module()
        tm = self.text_model
        tm.embeddings = nn.Module()
        tm.embeddings.token_embedding = nn.Embedding(cfg.vocab_size, cfg.hidden)
        tm.embeddings.position_embedding = nn.Embedding(cfg.max_positions, cfg.hidden)
        tm.encoder = nn.Module()
        tm.encoder.layers = nn.ModuleList([ClipLayer(cfg) for _ in range(cfg.layers)])
        tm.final_layer_norm = nn.LayerNorm(cfg.hidden, eps=1e-5)
        nn.init.normal_(tm.embeddings.token_embedding.weight, std=0.02)
        nn.init.normal_(tm.embeddings.position_embedding.weight, std=0.01)

    def forward(self, ids):
        tm = self.text_model
        t = ids.shape[1]
        x = tm.embeddings.token_embedding(ids) + tm.embeddings.position_embedding.weight[:t][None]
        mask = torch.full((t, t), float("-inf")).triu(1)
        for layer in tm.encoder.layers:
            x = layer(x, mask)
        return tm.final_layer_norm(x)


def checkpoint_tensors(unet, text):
    """The single-file layout: name -> float tensor."""
    out = {"model.diffusion_model." + k: v for k, v in unet.state_dict().items()}
    out.update({"cond_stage_model.transformer." + k: v for k, v in text.state_dict().items()})
    return out


def sidecar(unet_cfg, text_cfg):
    return {"unet": {"attention_head_dim": unet_cfg.heads, "cross_attention_dim": unet_cfg.context_dim,
                     "block_out_channels": [unet_cfg.model_channels * m for m in unet_cfg.channel_mult],
                     "layers_per_block": unet_cfg.layers_per_block, "attention_levels": list(unet_cfg.attention)},
            "text_encoder": {"num_attention_heads": text_cfg.heads, "hidden_size": text_cfg.hidden,
                             "num_hidden_layers": text_cfg.layers, "intermediate_size": text_cfg.intermediate}}
