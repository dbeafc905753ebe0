"""TAESD (madebyollin/taesd, SD 1.x latents) encoder and decoder in plain PyTorch.

Written from the tensor names/shapes of weights/taesd/taesd_{encoder,decoder}.safetensors and the
architecture notes in weights/taesd/README.md. Encoder: RGB in [0, 1] -> raw latents, which are
already SD-scaled (no 0.18215 factor). Decoder: latents -> RGB about [0, 1], not clamped.
"""
import os

import numpy as np
import torch
import torch.nn as nn

import st

WEIGHTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "weights", "taesd")


def conv(n_in, n_out, **kw):
    return nn.Conv2d(n_in, n_out, 3, padding=1, **kw)


class Clamp(nn.Module):
    def forward(self, x):
        return torch.tanh(x / 3) * 3


class Block(nn.Module):
    def __init__(self, n_in, n_out):
        super().__init__()
        self.conv = nn.Sequential(conv(n_in, n_out), nn.ReLU(), conv(n_out, n_out), nn.ReLU(), conv(n_out, n_out))
        self.skip = nn.Conv2d(n_in, n_out, 1, bias=False) if n_in != n_out else nn.Identity()
        self.fuse = nn.ReLU()

    def forward(self, x):
        return self.fuse(self.conv(x) + self.skip(x))


def Encoder(latent_channels=4):
    return nn.Sequential(
        conv(3, 64), Block(64, 64),
        conv(64, 64, stride=2, bias=False), Block(64, 64), Block(64, 64), Block(64, 64),
        conv(64, 64, stride=2, bias=False), Block(64, 64), Block(64, 64), Block(64, 64),
        conv(64, 64, stride=2, bias=False), Block(64, 64), Block(64, 64), Block(64, 64),
        conv(64, latent_channels),
    )


def Decoder(latent_channels=4):
    return nn.Sequential(
        Clamp(), conv(latent_channels, 64), nn.ReLU(),
        Block(64, 64), Block(64, 64), Block(64, 64), nn.Upsample(scale_factor=2), conv(64, 64, bias=False),
        Block(64, 64), Block(64, 64), Block(64, 64), nn.Upsample(scale_factor=2), conv(64, 64, bias=False),
        Block(64, 64), Block(64, 64), Block(64, 64), nn.Upsample(scale_factor=2), conv(64, 64, bias=False),
        Block(64, 64), conv(64, 3),
    )


def _load(module, path):
    tensors, _ = st.load(path)
    module.load_state_dict({k: torch.from_numpy(np.asarray(v, dtype=np.float32)) for k, v in tensors.items()}, strict=True)
    return module.eval()


def load_encoder(path=None):
    return _load(Encoder(), path or os.path.join(WEIGHTS, "taesd_encoder.safetensors"))


def load_decoder(path=None):
    return _load(Decoder(), path or os.path.join(WEIGHTS, "taesd_decoder.safetensors"))


if __name__ == "__main__":
    # Self-check against the shared TAESD reference tensors.
    import sys
    from PIL import Image
    torch.set_num_threads(2)
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    ref = os.path.join(root, "src", "test", "resources", "reference", "taesd")
    images = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/images"
    enc, dec = load_encoder(), load_decoder()
    for name in ("astronaut", "coffee"):
        S = 256
        lat_ref = st.load(os.path.join(ref, f"{name}_{S}_latent.safetensors"))[0]["latent"]
        dec_ref = st.load(os.path.join(ref, f"{name}_{S}_decoded.safetensors"))[0]["decoded"]
        cands = [f for f in os.listdir(images) if f.startswith(name)]
        img = Image.open(os.path.join(images, sorted(cands)[0])).convert("RGB")
        if img.size != (S, S):
            img = img.resize((S, S), Image.BICUBIC)
        x = torch.from_numpy(np.asarray(img, dtype=np.float32) / 255.0).permute(2, 0, 1)[None]
        with torch.no_grad():
            lat = enc(x).numpy()
            d = dec(torch.from_numpy(lat_ref)).numpy()
        print(name, "encoder max|diff|", float(np.abs(lat - lat_ref).max()), "decoder max|diff|", float(np.abs(d - dec_ref).max()))
