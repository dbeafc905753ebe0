"""CLIP byte-level BPE tokenizer with the SD 1.x conventions.

A port of openai/CLIP `simple_tokenizer.py` (MIT), without ftfy: text -> html.unescape (twice) ->
strip -> collapse whitespace -> lowercase -> CLIP regex split -> UTF-8 bytes -> byte-to-unicode ->
BPE with `</w>` on the last symbol of each word. Uses the first 48894 merges of
bpe_simple_vocab_16e6.txt.gz. SD 1.x ids: BOS 49406, content truncated to 75, EOS 49407, padded
to 77 with 49407.
"""
import gzip
import html
import os

try:
    import regex as re  # \p{L} / \p{N} classes, as openai's tokenizer
    _PAT = r"""<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+"""
except ImportError:  # fallback: same for ASCII text
    import re
    _PAT = r"""<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[^\W\d_]+|\d|[^\s\w]+|_+"""

BOS, EOS, MAX_LEN = 49406, 49407, 77
DEFAULT_VOCAB = os.path.join(os.path.dirname(__file__), "..", "..", "weights", "clip", "bpe_simple_vocab_16e6.txt.gz")


def _bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


def _pairs(word):
    return {(word[i], word[i + 1]) for i in range(len(word) - 1)}


class ClipTokenizer:
    def __init__(self, vocab_path=DEFAULT_VOCAB):
        self.byte_encoder = _bytes_to_unicode()
        lines = gzip.open(vocab_path).read().decode("utf-8").split("\n")
        merges = [tuple(m.split()) for m in lines[1:49152 - 256 - 2 + 1]]
        vocab = list(self.byte_encoder.values())
        vocab = vocab + [v + "</w>" for v in vocab]
        vocab += ["".join(m) for m in merges]
        vocab += ["<|startoftext|>", "<|endoftext|>"]
        self.encoder = {v: i for i, v in enumerate(vocab)}
        self.decoder = {i: v for v, i in self.encoder.items()}
        self.ranks = {m: i for i, m in enumerate(merges)}
        self.cache = {"<|startoftext|>": "<|startoftext|>", "<|endoftext|>": "<|endoftext|>"}
        self.pat = re.compile(_PAT, re.IGNORECASE)
        assert len(self.encoder) == 49408

    def bpe(self, token):
        if token in self.cache:
            return self.cache[token]
        word = tuple(token[:-1]) + (token[-1] + "</w>",)
        pairs = _pairs(word)
        if not pairs:
            return token + "</w>"
        while True:
            bigram = min(pairs, key=lambda p: self.ranks.get(p, float("inf")))
            if bigram not in self.ranks:
                break
            first, second = bigram
            new = []
            i = 0
            while i < len(word):
                try:
                    j = word.index(first, i)
                except ValueError:
                    new.extend(word[i:])
                    break
                new.extend(word[i:j])
                i = j
                if word[i] == first and i < len(word) - 1 and word[i + 1] == second:
                    new.append(first + second)
                    i += 2
                else:
                    new.append(word[i])
                    i += 1
            word = tuple(new)
            if len(word) == 1:
                break
            pairs = _pairs(word)
        out = " ".join(word)
        self.cache[token] = out
        return out

    @staticmethod
    def clean(text):
        text = html.unescape(html.unescape(text)).strip()
        text = " ".join(text.split())
        return text.lower()

    def encode(self, text):
        ids = []
        for tok in self.pat.findall(self.clean(text)):
            tok = "".join(self.byte_encoder[b] for b in tok.encode("utf-8"))
            ids.extend(self.encoder[t] for t in self.bpe(tok).split(" "))
        return ids

    def __call__(self, text):
        """SD 1.x: 77 ids, BOS + content (<= 75) + EOS, padded with EOS."""
        ids = [BOS] + self.encode(text)[:MAX_LEN - 2] + [EOS]
        return ids + [EOS] * (MAX_LEN - len(ids))
