"""Exports a training checkpoint (EMA weights) to the single-file SD layout, F16, plus the sidecar config.

    /usr/bin/python3 export.py --ckpt checkpoints/latest.pt --out ../../weights/meg-es.safetensors
"""
import argparse
import json
import os

import numpy as np
import torch

import model as M
import st


def export(unet, text, out, metadata=None):
    tensors = {k: v.detach().float().numpy().astype(np.float16) for k, v in M.checkpoint_tensors(unet, text).items()}
    st.save(out, tensors, metadata)
    stem = out[:-len(".safetensors")]
    with open(stem + "-config.json", "w") as f:
        json.dump(M.sidecar(unet.cfg, text.cfg), f, indent=1)
        f.write("\n")
    return sum(v.size for v in tensors.values())


def load_checkpoint(path, ema=True):
    ck = torch.load(path, map_location="cpu")
    unet, text = M.UNet(M.UNetConfig(**ck["unet_cfg"])), M.ClipText(M.TextConfig(**ck["text_cfg"]))
    sd = ck["ema"] if ema and ck.get("ema") else ck["model"]
    unet.load_state_dict({k[5:]: v for k, v in sd.items() if k.startswith("unet.")})
    text.load_state_dict({k[5:]: v for k, v in sd.items() if k.startswith("text.")})
    return unet.eval(), text.eval(), ck


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt", help="training checkpoint; without it, a randomly initialised model (layout check)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--no-ema", action="store_true")
    args = ap.parse_args()
    if args.ckpt:
        unet, text, ck = load_checkpoint(args.ckpt, not args.no_ema)
        meta = {"step": ck["step"], "trained_on": "Fluent Emoji Flat 128x128 (MIT, Microsoft) via TAESD latents"}
    else:
        torch.manual_seed(0)
        unet, text, meta = M.UNet(M.SMALL_UNET), M.ClipText(M.SMALL_TEXT), {"step": 0}
    n = export(unet, text, args.out, meta)
    print(f"{args.out}: {n} parameters, {os.path.getsize(args.out) / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
