"""Fluent Emoji Flat (npm @iconify-json/fluent-emoji-flat, MIT) -> 128x128 RGB PNGs + captions.json,
then TAESD latents cached once (latents.npy, [N, 4, 16, 16] float32).

    npm pack @iconify-json/fluent-emoji-flat@1.2.6      (in a scratch dir OUTSIDE the repo)
    tar xzf iconify-json-fluent-emoji-flat-1.2.6.tgz
    python3 prepare_data.py --package /work/data/npm/flat/package --out /work/data/emoji128

Needs rsvg-convert (Debian librsvg2-bin) to rasterise the SVG bodies.

Selection: every icon and alias of the set except the skin-tone variants (`-light`, `-medium-light`,
`-medium`, `-medium-dark`, `-dark` suffixes of a base icon that has the tone family); the default
(yellow) person/hand icons stay. Caption = icon name with '-' -> ' ' (e.g. "grinning face with big
eyes"). Caption templates: training uses TRAIN_TEMPLATES; HELDOUT_TEMPLATE is never shown in
training (it only recombines training words) and is what evaluate.py measures. EVAL_IDS: a fixed
random subset (seed 1234) of 100 images used by evaluate.py.
"""
import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile

import numpy as np
from PIL import Image

TRAIN_TEMPLATES = ["{name}", "{name} emoji", "a picture of {name}"]
HELDOUT_TEMPLATE = "a picture of {name} emoji"
TONES = ["light", "medium-light", "medium", "medium-dark", "dark"]
SIZE = 128
N_EVAL = 100


def is_tone_variant(name, names):
    m = re.match(r"^(.*?)-((?:(?:medium-)?(?:light|dark)|medium)(?:-(?:(?:medium-)?(?:light|dark)|medium))?)$", name)
    if not m:
        return False
    base = m.group(1)
    return sum((base + "-" + t) in names for t in TONES) >= 2


def render(svg_body, width, height, hflip, out_png):
    tr = f'<g transform="translate({width} 0) scale(-1 1)">{svg_body}</g>' if hflip else svg_body
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
           f'width="{SIZE}" height="{SIZE}" viewBox="0 0 {width} {height}">{tr}</svg>')
    with tempfile.NamedTemporaryFile("w", suffix=".svg", delete=False) as f:
        f.write(svg)
        path = f.name
    try:
        subprocess.run(["rsvg-convert", "-w", str(SIZE), "-h", str(SIZE), "-b", "white", "-o", out_png + ".tmp.png", path],
                       check=True)
        Image.open(out_png + ".tmp.png").convert("RGB").save(out_png)
        os.remove(out_png + ".tmp.png")
    finally:
        os.remove(path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--package", required=True, help="unpacked npm package folder (holds icons.json)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--skip-render", action="store_true", help="only (re)compute latents")
    args = ap.parse_args()
    os.makedirs(os.path.join(args.out, "images"), exist_ok=True)

    icons = json.load(open(os.path.join(args.package, "icons.json")))
    meta = json.load(open(os.path.join(args.package, "metadata.json")))
    pkg = json.load(open(os.path.join(args.package, "package.json")))
    info = json.load(open(os.path.join(args.package, "info.json")))
    W, H = icons.get("width", 16), icons.get("height", 16)
    cat_of = {n: c for c, ns in meta["categories"].items() for n in ns}
    entries = dict(icons["icons"])
    for alias, a in icons.get("aliases", {}).items():
        entries[alias] = dict(entries[a["parent"]], hFlip=a.get("hFlip", False) ^ entries[a["parent"]].get("hFlip", False))
    names = set(entries)
    keep = sorted(n for n in names if not is_tone_variant(n, names))
    print(f"{len(names)} icons+aliases, {len(keep)} kept after removing skin-tone variants", file=sys.stderr)

    items = []
    for i, n in enumerate(keep):
        e = entries[n]
        fn = f"images/{i:04d}.png"
        if not args.skip_render:
            render(e["body"], e.get("width", W), e.get("height", H), e.get("hFlip", False), os.path.join(args.out, fn))
        items.append({"id": i, "name": n, "caption": n.replace("-", " "), "category": cat_of.get(n, ""), "file": fn})
    rng = random.Random(1234)
    eval_ids = sorted(rng.sample(range(len(items)), N_EVAL))
    doc = {
        "source": {"package": pkg["name"], "version": pkg["version"], "license": pkg["license"],
                   "author": info.get("author"), "set": info.get("name")},
        "size": SIZE, "train_templates": TRAIN_TEMPLATES, "heldout_template": HELDOUT_TEMPLATE,
        "eval_ids": eval_ids, "items": items,
    }
    json.dump(doc, open(os.path.join(args.out, "captions.json"), "w"), indent=1)

    # TAESD latents, computed once.
    import torch
    import taesd
    torch.set_num_threads(2)
    enc = taesd.load_encoder()
    lat = []
    with torch.no_grad():
        for b in range(0, len(items), 64):
            x = np.stack([np.asarray(Image.open(os.path.join(args.out, it["file"])).convert("RGB"), dtype=np.float32) / 255.0
                          for it in items[b:b + 64]]).transpose(0, 3, 1, 2)
            lat.append(enc(torch.from_numpy(x)).numpy())
    lat = np.concatenate(lat)
    np.save(os.path.join(args.out, "latents.npy"), lat)
    print(f"latents {lat.shape} mean {lat.mean():.4f} std {lat.std():.4f} min {lat.min():.3f} max {lat.max():.3f}", file=sys.stderr)


if __name__ == "__main__":
    main()
