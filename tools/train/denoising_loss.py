"""The diffusion objective on fixed draws: how well each exported model denoises the data set.

    /usr/bin/python3 denoising_loss.py ../../weights/meg-es.safetensors ../../weights/meg-ue.safetensors

For every data-set latent x0 (all N icons, captioned "{name}") and each t in TS, with one fixed
noise draw per (image, t) shared by all models: MSE of eps - unet(sqrt(abar_t) x0 + sqrt(1 - abar_t) eps,
t, text(caption)). The same quantity the training minimises (Ho et al. 2020, eq. 14), so lower is a
better model of the data; averaged per t and overall. Deterministic (seed 0); prints JSON.
"""
import json
import os
import sys

import numpy as np
import torch

import sample as S
from clip_tokenizer import ClipTokenizer
from train import scaled_linear_alphas_cumprod

TS = (50, 200, 400, 600, 800, 950)


@torch.no_grad()
def loss(path, lat, tokens, noise, batch=200):
    unet, text = S.load_model(path)
    abar = scaled_linear_alphas_cumprod()
    ctx = torch.cat([text(tokens[b:b + batch]) for b in range(0, len(tokens), batch)])
    per_t = {}
    for j, t in enumerate(TS):
        a = abar[t]
        errs = []
        for b in range(0, len(lat), batch):
            x0, eps = lat[b:b + batch], noise[j, b:b + batch]
            xt = a.sqrt() * x0 + (1 - a).sqrt() * eps
            tt = torch.full((len(x0),), t, dtype=torch.long)
            errs.append((unet(xt, tt, ctx[b:b + batch]) - eps).pow(2).mean(dim=(1, 2, 3)))
        per_t[t] = float(torch.cat(errs).mean())
    return {"model": os.path.basename(path), "mse_per_t": per_t, "mse": float(np.mean(list(per_t.values())))}


def main():
    torch.set_num_threads(1)
    data = "/work/data/emoji128"
    lat = torch.from_numpy(np.load(os.path.join(data, "latents.npy"))).float()
    doc = json.load(open(os.path.join(data, "captions.json")))
    tok = ClipTokenizer()
    tokens = torch.tensor([tok(it["caption"]) for it in doc["items"]], dtype=torch.long)
    noise = torch.randn((len(TS),) + tuple(lat.shape), generator=torch.Generator().manual_seed(0))
    print(json.dumps([loss(p, lat, tokens, noise) for p in sys.argv[1:]], indent=1))


if __name__ == "__main__":
    main()
