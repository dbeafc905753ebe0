"""Held-out caption retrieval and a contact sheet for an exported model.

    /usr/bin/python3 evaluate.py --model ../../weights/meg-es.safetensors --sheet ../../docs/meg-es-samples.png

1. For each of the 100 EVAL_IDS images, generate from its HELDOUT_TEMPLATE caption ("a picture of {name}
   emoji", a template never seen in training), DDIM --steps, guidance --guidance, one seed per image and
   round (--seeds rounds; figures are means over rounds, each round's values kept beside them).
2. Fixed feature space: the TAESD-decoded image, RGB in [0, 1], area-downsampled to 16x16, minus the
   gallery mean, L2-normalised (no learned features, so the metric cannot be fooled by the model).
3. Top-k accuracy: the true image is among the k gallery images nearest (cosine) to the generated one.
   Gallery = the 100 eval images (chance k/100) and = all N dataset images (chance k/N). Also the mean
   cosine similarity of each sample to its own image (0 = no better than the gallery mean).
4. Contact sheet: for the first rows eval captions, the real image then `cols` generated samples.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

import sample as S
import taesd
from clip_tokenizer import ClipTokenizer


def features(img01):
    """[B, 3, H, W] in [0, 1] -> [B, 768] (16x16 RGB area average)."""
    return F.adaptive_avg_pool2d(img01, 16).flatten(1)


@torch.no_grad()
def generate(unet, text, dec, prompts, seeds, steps, scale, batch=50):
    tok = ClipTokenizer()
    uncond = text(torch.tensor([tok("")]))
    ts, ratio = S.timesteps(steps)
    out = []
    for b in range(0, len(prompts), batch):
        p = prompts[b:b + batch]
        cond = text(torch.tensor([tok(x) for x in p]))
        x = torch.stack([torch.randn(4, 16, 16, generator=torch.Generator().manual_seed(s)) for s in seeds[b:b + batch]])
        lat = S.denoise(unet, x, ts, ratio, cond, uncond.expand(len(p), -1, -1), scale)
        out.append(dec(lat).clamp(0, 1))
    return torch.cat(out)


def topk(gen_f, gal_f, true_idx, k):
    mean = gal_f.mean(0, keepdim=True)
    g = F.normalize(gen_f - mean, dim=1)
    r = F.normalize(gal_f - mean, dim=1)
    rank = (g @ r.T).topk(k, dim=1).indices                                           # [Q, k]
    return float((rank == torch.tensor(true_idx)[:, None]).any(1).float().mean())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--data", default="/work/data/emoji128")
    ap.add_argument("--steps", type=int, default=25)
    ap.add_argument("--guidance", type=float, default=7.5)
    ap.add_argument("--sheet", help="contact sheet PNG to write")
    ap.add_argument("--rows", type=int, default=8)
    ap.add_argument("--cols", type=int, default=3)
    ap.add_argument("--json", help="write the metrics here")
    ap.add_argument("--seeds", type=int, default=1, help="samples per caption (seed i + 1000 r in round r); "
                    "accuracies are the mean over rounds")
    args = ap.parse_args()
    torch.set_num_threads(1)
    unet, text = S.load_model(args.model)
    dec = taesd.load_decoder()
    doc = json.load(open(os.path.join(args.data, "captions.json")))
    items, eval_ids = doc["items"], doc["eval_ids"]
    real = torch.from_numpy(np.stack([np.asarray(Image.open(os.path.join(args.data, it["file"])).convert("RGB"),
                                                 dtype=np.float32) / 255 for it in items])).permute(0, 3, 1, 2)
    prompts = [doc["heldout_template"].format(name=items[i]["caption"]) for i in eval_ids]

    # 1-3. Retrieval, --seeds rounds of one sample per caption.
    all_f = features(real)
    res = {"queries": len(eval_ids), "template": doc["heldout_template"], "steps": args.steps, "guidance": args.guidance,
           "seeds": args.seeds}
    rounds = {}
    for r in range(args.seeds):
        seeds = [i + 1000 * r for i in eval_ids]
        gf = features(generate(unet, text, dec, prompts, seeds, args.steps, args.guidance))
        ef = features(generate(unet, text, dec, [""] * len(eval_ids), seeds, args.steps, args.guidance))
        m = {}
        for k in (1, 5):
            m[f"top{k}_eval100"] = topk(gf, all_f[eval_ids], list(range(len(eval_ids))), k)
            m[f"top{k}_all"] = topk(gf, all_f, eval_ids, k)
        # Baseline: the same seeds with the empty prompt (no caption information).
        m["top5_eval100_empty_prompt"] = topk(ef, all_f[eval_ids], list(range(len(eval_ids))), 5)
        # A continuous figure: mean cosine similarity (centred features) of each sample to its own image.
        mean = all_f[eval_ids].mean(0, keepdim=True)
        m["cos_to_own_image"] = float((F.normalize(gf - mean, dim=1) * F.normalize(all_f[eval_ids] - mean, dim=1))
                                      .sum(1).mean())
        for key, v in m.items():
            rounds.setdefault(key, []).append(v)
    for key, vs in rounds.items():
        res[key] = float(np.mean(vs))
        if args.seeds > 1:
            res[key + "_per_seed"] = vs
    for k in (1, 5):
        res[f"chance_top{k}_eval100"] = k / len(eval_ids)
        res[f"chance_top{k}_all"] = k / len(items)
    print(json.dumps(res, indent=1))
    if args.json:
        json.dump(res, open(args.json, "w"), indent=1)

    # 4. Contact sheet: real | samples (seeds 0..cols-1).
    if args.sheet:
        rows = eval_ids[:args.rows]
        tiles = []
        for r, i in enumerate(rows):
            p = [prompts[r]] * args.cols
            g = generate(unet, text, dec, p, list(range(args.cols)), args.steps, args.guidance)
            tiles.append(torch.cat([real[i:i + 1], g]))
        grid = torch.cat([torch.cat(list(t), dim=2) for t in tiles], dim=1)               # [3, rows*128, (cols+1)*128]
        a = (grid.permute(1, 2, 0).numpy() * 255).round().clip(0, 255).astype(np.uint8)
        im = Image.fromarray(a)
        im.save(args.sheet, optimize=True)
        while os.path.getsize(args.sheet) > 300_000:                                       # keep docs/ small
            im = im.resize((im.width * 3 // 4, im.height * 3 // 4), Image.LANCZOS)
            im.save(args.sheet, optimize=True)
        print(f"{args.sheet}: rows {[items[i]['caption'] for i in rows]}", file=sys.stderr)


if __name__ == "__main__":
    main()
