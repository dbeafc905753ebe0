#!/bin/sh
# Export the latest checkpoint (EMA) of a profile and regenerate its Java golden reference from the exported
# F16 file:  sh finish.sh [es|ue]   (default es; ue reads checkpoints-ue/ and writes meg-ue.*)
set -e
cd "$(dirname "$0")"
PY=/usr/bin/python3
profile=${1:-es}
case "$profile" in
  es) ckpt=checkpoints ;;
  ue) ckpt=checkpoints-ue ;;
  *) echo "finish.sh: profile must be es or ue, got $profile" >&2; exit 2 ;;
esac
$PY export.py --ckpt $ckpt/latest.pt --out ../../weights/meg-$profile.safetensors
$PY sample.py reference --model ../../weights/meg-$profile.safetensors \
    --out ../../src/test/resources/reference/meg-$profile/meg-${profile}_10steps.safetensors
