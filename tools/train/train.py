"""DDPM epsilon-prediction training of the small U-Net + CLIP text encoder on cached TAESD latents.

    nice -n 10 /usr/bin/python3 train.py --data /work/data/emoji128 --minutes 30
    nice -n 10 /usr/bin/python3 train.py --profile ue --minutes 30     # the smaller UE model

1. Data: latents.npy [N, 4, 16, 16] (TAESD encoder output, already in SD's scaled latent space) and
   captions.json; every step draws a batch of images and, per image, one of TRAIN_TEMPLATES; 10% of
   captions are replaced by "" so the empty-prompt embedding works as the unconditional branch of
   classifier-free guidance.
2. Forward process (Ho et al. 2020, eq. 4): x_t = sqrt(abar_t) x_0 + sqrt(1 - abar_t) eps, t ~ U{0..999},
   SD 1.x scaled-linear betas (sqrt(beta) linear from sqrt(0.00085) to sqrt(0.012)).
3. Loss: || eps - unet(x_t, t, text(caption)) ||^2 (eq. 14, "simple" loss); AdamW, linear warm-up,
   EMA of the weights (decay min(0.999, (1 + s) / (10 + s))).
4. Resumable: a checkpoint every --save-minutes to checkpoints/latest.pt (model, EMA, optimiser, RNG,
   step, loss log); a restart continues from it until --minutes of training in total.
"""
import argparse
import json
import os
import random
import sys
import time

import numpy as np
import torch

import model as M
from clip_tokenizer import ClipTokenizer

HERE = os.path.dirname(os.path.abspath(__file__))
TRAIN_TEMPLATES = ["{name}", "{name} emoji", "a picture of {name}"]


def scaled_linear_alphas_cumprod(n=1000, beta_start=0.00085, beta_end=0.012):
    betas = torch.linspace(beta_start ** 0.5, beta_end ** 0.5, n, dtype=torch.float64) ** 2
    return torch.cumprod(1.0 - betas, dim=0).float()


def caption_ids(data_dir):
    """[N, len(TRAIN_TEMPLATES), 77] token ids and the empty-prompt ids [77]."""
    doc = json.load(open(os.path.join(data_dir, "captions.json")))
    assert doc["train_templates"] == TRAIN_TEMPLATES
    tok = ClipTokenizer()
    ids = [[tok(t.format(name=it["caption"])) for t in TRAIN_TEMPLATES] for it in doc["items"]]
    return torch.tensor(ids, dtype=torch.long), torch.tensor(tok(""), dtype=torch.long)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="/work/data/emoji128")
    ap.add_argument("--profile", choices=sorted(M.PROFILES), default="es", help="model size: es or the smaller ue")
    ap.add_argument("--ckpt-dir", help="default: checkpoints (es) or checkpoints-ue (ue)")
    ap.add_argument("--minutes", type=float, default=30.0, help="total training wall time, across restarts")
    ap.add_argument("--save-minutes", type=float, default=3.0)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--warmup", type=int, default=100)
    ap.add_argument("--drop", type=float, default=0.1, help="caption dropout to the empty prompt")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    if args.ckpt_dir is None:
        args.ckpt_dir = os.path.join(HERE, "checkpoints" if args.profile == "es" else "checkpoints-" + args.profile)
    os.makedirs(args.ckpt_dir, exist_ok=True)
    path = os.path.join(args.ckpt_dir, "latest.pt")

    # 1. Data.
    lat = torch.from_numpy(np.load(os.path.join(args.data, "latents.npy"))).float()    # [N, 4, 16, 16]
    ids, empty = caption_ids(args.data)                                                # [N, 3, 77], [77]
    n = lat.shape[0]
    abar = scaled_linear_alphas_cumprod()

    # 2. Model, optimiser, EMA; resume when a checkpoint exists.
    torch.manual_seed(args.seed)
    unet_cfg, text_cfg = M.PROFILES[args.profile]
    unet, text = M.UNet(unet_cfg), M.ClipText(text_cfg)
    net = torch.nn.ModuleDict({"unet": unet, "text": text})
    opt = torch.optim.AdamW(net.parameters(), lr=args.lr, weight_decay=0.01)
    ema = {k: v.detach().clone() for k, v in net.state_dict().items()}
    step, elapsed, log = 0, 0.0, []
    gen = torch.Generator().manual_seed(args.seed)
    if os.path.exists(path):
        ck = torch.load(path, map_location="cpu")
        net.load_state_dict(ck["model"])
        opt.load_state_dict(ck["opt"])
        ema = ck["ema"]
        step, elapsed, log = ck["step"], ck["elapsed"], ck["log"]
        gen.set_state(ck["gen"])
        print(f"resumed at step {step}, {elapsed / 60:.1f} min trained", file=sys.stderr)
    print(f"unet {sum(p.numel() for p in unet.parameters())} params, text {sum(p.numel() for p in text.parameters())}",
          file=sys.stderr)

    def save():
        ck = {"model": net.state_dict(), "opt": opt.state_dict(), "ema": ema, "step": step, "elapsed": elapsed,
              "log": log, "gen": gen.get_state(), "unet_cfg": vars(unet.cfg), "text_cfg": vars(text.cfg),
              "args": vars(args)}
        torch.save(ck, path + ".tmp")
        os.replace(path + ".tmp", path)

    # 3. Training loop.
    start = time.time() - elapsed
    last_save = time.time()
    window = []
    while True:
        elapsed = time.time() - start
        if elapsed >= args.minutes * 60:
            break
        idx = torch.randint(0, n, (args.batch,), generator=gen)
        tmpl = torch.randint(0, len(TRAIN_TEMPLATES), (args.batch,), generator=gen)
        tokens = ids[idx, tmpl]                                                        # [B, 77]
        drop = torch.rand(args.batch, generator=gen) < args.drop
        tokens[drop] = empty
        x0 = lat[idx]
        eps = torch.randn(x0.shape, generator=gen)
        t = torch.randint(0, 1000, (args.batch,), generator=gen)
        a = abar[t][:, None, None, None]
        xt = a.sqrt() * x0 + (1 - a).sqrt() * eps

        for g in opt.param_groups:
            g["lr"] = args.lr * min(1.0, (step + 1) / args.warmup)
        loss = (unet(xt, t, text(tokens)) - eps).pow(2).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
        opt.step()
        step += 1
        d = min(0.999, (1 + step) / (10 + step))
        with torch.no_grad():
            for k, v in net.state_dict().items():
                if v.dtype.is_floating_point:
                    ema[k].mul_(d).add_(v.detach(), alpha=1 - d)
                else:
                    ema[k].copy_(v)
        window.append(loss.item())
        if step % 25 == 0:
            log.append((step, time.time() - start, float(np.mean(window))))
            print(f"step {step} {(time.time() - start) / 60:.1f} min loss {np.mean(window):.4f}", file=sys.stderr, flush=True)
            window = []
        if time.time() - last_save > args.save_minutes * 60:
            elapsed = time.time() - start
            save()
            last_save = time.time()
    save()
    print(f"done: step {step}, {elapsed / 60:.1f} min", file=sys.stderr)


if __name__ == "__main__":
    random.seed(0)
    main()
