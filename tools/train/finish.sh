#!/bin/sh
# Export the latest checkpoint (EMA) and regenerate the Java golden reference from the exported F16 file.
set -e
cd "$(dirname "$0")"
PY=/usr/bin/python3
$PY export.py --ckpt checkpoints/latest.pt --out ../../weights/meg-es.safetensors
$PY sample.py reference --model ../../weights/meg-es.safetensors \
    --out ../../src/test/resources/reference/meg-es/meg-es_10steps.safetensors
