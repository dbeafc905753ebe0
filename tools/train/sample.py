"""DDIM sampling with classifier-free guidance in PyTorch, on an exported single-file model, and the
golden reference for the Java engine (src/test/java/org/meg/model/TrainedModelTest.java).

    /usr/bin/python3 sample.py reference --model ../../weights/meg-es.safetensors \
        --out ../../src/test/resources/reference/meg-es/meg-es_10steps.safetensors
    /usr/bin/python3 sample.py txt2img --model ../../weights/meg-es.safetensors --prompt "red apple" --out /tmp/a.png

The model is read back from the exported F16 file, so PyTorch runs exactly the weights Java loads.

DDIM (Song et al. 2021, eq. 12 with sigma = 0), as diffusers DDIMScheduler with steps_offset 1,
set_alpha_to_one False, "leading" spacing:
  1. ratio = 1000 // n; timesteps = [(n-1) ratio, .., ratio, 0] + 1
  2. eps = eps_u + g (eps_c - eps_u)                 (Ho & Salimans 2022; uncond = empty prompt)
  3. x0 = (x_t - sqrt(1 - abar_t) eps) / sqrt(abar_t)
  4. x_prev = sqrt(abar_prev) x0 + sqrt(1 - abar_prev) eps, abar_prev = abar[t - ratio] or abar[0] at the end
Image-to-image: timesteps[n - min(int(n strength), n):], x_t = sqrt(abar_t) x0 + sqrt(1 - abar_t) noise with
x0 = TAESD encoder((image + 1) / 2) (deterministic: the posterior draw is unused).
"""
import argparse
import json
import os
import sys

import numpy as np
import torch
from PIL import Image

import model as M
import st
import taesd
from clip_tokenizer import ClipTokenizer
from train import scaled_linear_alphas_cumprod

ABAR = scaled_linear_alphas_cumprod()


def load_model(path):
    """(unet, text) from a single-file checkpoint and its sidecar, float32 copies of the stored F16."""
    tensors, _ = st.load(path)
    side = json.load(open(path[:-len(".safetensors")] + "-config.json"))
    u, t = side["unet"], side["text_encoder"]
    c0 = u["block_out_channels"][0]
    ucfg = M.UNetConfig(model_channels=c0, channel_mult=tuple(c // c0 for c in u["block_out_channels"]),
                        layers_per_block=u["layers_per_block"], attention=tuple(u["attention_levels"]),
                        heads=u["attention_head_dim"], context_dim=u["cross_attention_dim"])
    tcfg = M.TextConfig(hidden=t["hidden_size"], layers=t["num_hidden_layers"], heads=t["num_attention_heads"],
                        intermediate=t["intermediate_size"])
    unet, text = M.UNet(ucfg), M.ClipText(tcfg)

    def part(prefix):
        return {k[len(prefix):]: torch.from_numpy(v.astype(np.float32)) for k, v in tensors.items() if k.startswith(prefix)}

    unet.load_state_dict(part("model.diffusion_model."), strict=True)
    text.load_state_dict(part("cond_stage_model.transformer."), strict=True)
    return unet.eval(), text.eval()


def timesteps(n, strength=1.0):
    ratio = 1000 // n
    ts = [i * ratio + 1 for i in reversed(range(n))]
    init = min(int(n * strength), n)
    return ts[n - init:], ratio


@torch.no_grad()
def encode_prompt(text, prompt, tok=ClipTokenizer()):
    return text(torch.tensor([tok(prompt)]))


@torch.no_grad()
def denoise(unet, x, ts, ratio, cond, uncond, scale):
    for t in ts:
        both = unet(torch.cat([x, x]), torch.full((2 * x.shape[0],), t), torch.cat([uncond, cond]))
        eu, ec = both.chunk(2)
        eps = eu + scale * (ec - eu)
        a = ABAR[t]
        a_prev = ABAR[t - ratio] if t - ratio >= 0 else ABAR[0]
        x0 = (x - (1 - a).sqrt() * eps) / a.sqrt()
        x = a_prev.sqrt() * x0 + (1 - a_prev).sqrt() * eps
    return x


def txt2img(unet, text, prompt, noise, steps=25, scale=7.5):
    ts, ratio = timesteps(steps)
    return denoise(unet, noise, ts, ratio, encode_prompt(text, prompt), encode_prompt(text, ""), scale)


@torch.no_grad()
def img2img(unet, text, prompt, init_latents, noise, strength=0.75, steps=25, scale=7.5):
    ts, ratio = timesteps(steps, strength)
    a = ABAR[ts[0]]
    x = a.sqrt() * init_latents + (1 - a).sqrt() * noise
    return denoise(unet, x, ts, ratio, encode_prompt(text, prompt), encode_prompt(text, ""), scale)


def to_png(img, path):
    """[1, 3, H, W] about [-1, 1] -> PNG (TAESD decoder output is [0, 1]-ish; callers pass decoded * 2 - 1)."""
    a = ((img[0].clamp(-1, 1) + 1) * 127.5).round().byte().permute(1, 2, 0).numpy()
    Image.fromarray(a).save(path)


def reference(args):
    """Golden tensors: txt2img and img2img at 10 steps, guidance 7.5, with stored noise."""
    unet, text = load_model(args.model)
    g = torch.Generator().manual_seed(20261206)
    steps, scale, strength = 10, 7.5, 0.75
    prompt, prompt2 = "red apple emoji", "a picture of smiling face with sunglasses"
    initial = torch.randn(1, 4, 16, 16, generator=g)
    noise = torch.randn(1, 4, 16, 16, generator=g)
    # img2img source: a dataset image, stored as F16 in [-1, 1] (both sides use the rounded values)
    doc = json.load(open(os.path.join(args.data, "captions.json")))
    item = next(it for it in doc["items"] if it["name"] == "grinning-face")
    img = np.asarray(Image.open(os.path.join(args.data, item["file"])).convert("RGB"), dtype=np.float32) / 127.5 - 1
    img = torch.from_numpy(img.astype(np.float16).astype(np.float32)).permute(2, 0, 1)[None]
    with torch.no_grad():
        init = taesd.load_encoder()((img + 1) / 2)
    out = {
        "prompt_embeds": encode_prompt(text, prompt), "negative_prompt_embeds": encode_prompt(text, ""),
        "initial_latents": initial, "txt2img_final_latents": txt2img(unet, text, prompt, initial, steps, scale),
        "image": img.half(), "posterior_eps": torch.zeros(1, 4, 16, 16), "noise": noise,
        "init_latents_scaled": init,
        "img2img_final_latents": img2img(unet, text, prompt2, init, noise, strength, steps, scale),
    }
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    st.save(args.out, {k: v.numpy() for k, v in out.items()})
    settings = {"model": "weights/" + os.path.basename(args.model), "steps": steps, "guidance": scale, "strength": strength,
                "eta": 0.0, "txt2img_prompt": prompt, "img2img_prompt": prompt2, "negative": "",
                "height": 128, "width": 128, "image": f"Fluent Emoji Flat '{item['name']}' (MIT, Microsoft), 128x128",
                "generator": "tools/train/sample.py reference (PyTorch 1.13, float32)"}
    with open(args.out[:-len(".safetensors")] + ".json", "w") as f:
        json.dump(settings, f, indent=1)
        f.write("\n")
    print(f"{args.out}: {os.path.getsize(args.out)} bytes", file=sys.stderr)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["reference", "txt2img"])
    ap.add_argument("--model", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--data", default="/work/data/emoji128")
    ap.add_argument("--prompt", default="red apple")
    ap.add_argument("--steps", type=int, default=25)
    ap.add_argument("--guidance", type=float, default=7.5)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    torch.set_num_threads(1)
    if args.mode == "reference":
        reference(args)
    else:
        unet, text = load_model(args.model)
        x = torch.randn(1, 4, 16, 16, generator=torch.Generator().manual_seed(args.seed))
        lat = txt2img(unet, text, args.prompt, x, args.steps, args.guidance)
        with torch.no_grad():
            to_png(taesd.load_decoder()(lat) * 2 - 1, args.out)


if __name__ == "__main__":
    main()
