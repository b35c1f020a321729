#!/usr/bin/python3
"""A tiny LLaMA checkpoint as Hugging Face saves it and the GGUF that llama.cpp's
convert_hf_to_gguf.py would make of it, quantized: the pair `ckpt diff` lines up by name.
Run with Debian's python3-torch and python3-numpy:

    /usr/bin/python3 make_quantpair.py

Files:
  pytorch_model.bin   LlamaForCausalLM's state dict (torch.save, zip): 2 layers, hidden 64,
                      4 attention heads, 2 key/value heads (grouped-query attention), vocab 96
  model-q8.gguf       the same weights renamed as llama.cpp names them (gguf-py's
                      tensor_mapping.py), q_proj and k_proj rows permuted as LlamaModel.permute
                      does (per head, the two rotary halves interleaved; k with the key/value
                      head count), matrices quantized to Q8_0 or Q4_0 (ggml's reference
                      quantizers), lm_head as F16, the norms as F32
  expected.json       per Hugging Face tensor: its GGUF name and type, and against the original
                      the SQNR in dB, cosine similarity and max abs error of the dequantized
                      weights, computed here with numpy in float64 after undoing the permutation
"""
import json
import math
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "gguf"))
from gguf_writing import F32, STRING, U32, deq_q4_0, deq_q8, gguf, quantize_q4_0, quantize_q8  # noqa: E402

LAYERS, HIDDEN, HEADS, KV_HEADS, FFN, VOCAB = 2, 64, 4, 2, 128, 96
HEAD_DIM = HIDDEN // HEADS

torch.manual_seed(20241204)


def weight(*shape):
    return torch.randn(*shape) * 0.05


def norm():
    return 1.0 + torch.randn(HIDDEN) * 0.1


state = {"model.embed_tokens.weight": weight(VOCAB, HIDDEN)}
for i in range(LAYERS):
    p = f"model.layers.{i}."
    state[p + "self_attn.q_proj.weight"] = weight(HEADS * HEAD_DIM, HIDDEN)
    state[p + "self_attn.k_proj.weight"] = weight(KV_HEADS * HEAD_DIM, HIDDEN)
    state[p + "self_attn.v_proj.weight"] = weight(KV_HEADS * HEAD_DIM, HIDDEN)
    state[p + "self_attn.o_proj.weight"] = weight(HIDDEN, HEADS * HEAD_DIM)
    state[p + "mlp.gate_proj.weight"] = weight(FFN, HIDDEN)
    state[p + "mlp.up_proj.weight"] = weight(FFN, HIDDEN)
    state[p + "mlp.down_proj.weight"] = weight(HIDDEN, FFN)
    state[p + "input_layernorm.weight"] = norm()
    state[p + "post_attention_layernorm.weight"] = norm()
state["model.norm.weight"] = norm()
state["lm_head.weight"] = weight(VOCAB, HIDDEN)
torch.save(state, os.path.join(HERE, "pytorch_model.bin"))


def permute(w, n_head, n_head_kv):  # convert_hf_to_gguf.py, LlamaModel.permute
    if n_head_kv is not None and n_head != n_head_kv:
        n_head = n_head_kv
    return (w.reshape(n_head, 2, w.shape[0] // n_head // 2, *w.shape[1:])
            .swapaxes(1, 2).reshape(w.shape))


def unpermute(w, n_head):  # the inverse: rows back in Hugging Face's order
    return w.reshape(n_head, w.shape[0] // n_head // 2, 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


GGUF_NAMES = {"self_attn.q_proj": "attn_q", "self_attn.k_proj": "attn_k", "self_attn.v_proj": "attn_v",
              "self_attn.o_proj": "attn_output", "mlp.gate_proj": "ffn_gate", "mlp.up_proj": "ffn_up",
              "mlp.down_proj": "ffn_down", "input_layernorm": "attn_norm", "post_attention_layernorm": "ffn_norm"}


def gguf_name(hf):
    fixed = {"model.embed_tokens.weight": "token_embd.weight", "model.norm.weight": "output_norm.weight",
             "lm_head.weight": "output.weight"}
    if hf in fixed:
        return fixed[hf]
    _, _, layer, rest = hf.split(".", 3)
    return f"blk.{layer}.{GGUF_NAMES[rest.rsplit('.', 1)[0]]}.weight"


def encode(hf, w):
    """(ggml type, raw bytes, dequantized float32) of the tensor as stored in the GGUF."""
    if w.ndim == 1:
        return "F32", w.astype(np.float32).tobytes(), w.astype(np.float32)
    if hf == "lm_head.weight":
        h = w.astype(np.float16)
        return "F16", h.tobytes(), h.astype(np.float32)
    q4 = "k_proj" in hf or "o_proj" in hf or "embed_tokens" in hf
    raw = quantize_q4_0(w.ravel()) if q4 else quantize_q8(w.ravel(), False)
    values = deq_q4_0(raw) if q4 else deq_q8(raw, False)
    return ("Q4_0" if q4 else "Q8_0"), raw, values.reshape(w.shape)


tensors, expected = [], {}
for hf, t in state.items():
    w = t.numpy().astype(np.float32)
    heads = HEADS if "q_proj" in hf else KV_HEADS if "k_proj" in hf else 0
    stored = permute(w, HEADS, heads) if heads else w
    gtype, raw, dequantized = encode(hf, stored)
    tensors.append((gguf_name(hf), gtype, list(w.shape), raw))
    back = unpermute(dequantized, heads).astype(np.float64) if heads else dequantized.astype(np.float64)
    x = w.astype(np.float64)
    noise = float(np.sum((x - back) ** 2))
    expected[hf] = {"gguf": gguf_name(hf), "type": gtype, "unpermuted_heads": heads,
                    "sqnr_db": 10 * math.log10(float(np.sum(x * x)) / noise) if noise else None,
                    "cosine": float(np.sum(x * back) / math.sqrt(np.sum(x * x) * np.sum(back * back))),
                    "max_abs_error": float(np.max(np.abs(x - back)))}
kvs = [("general.architecture", STRING, "llama"), ("general.name", STRING, "ckptview quantpair"),
       ("general.file_type", U32, 7), ("llama.block_count", U32, LAYERS), ("llama.embedding_length", U32, HIDDEN),
       ("llama.feed_forward_length", U32, FFN), ("llama.attention.head_count", U32, HEADS),
       ("llama.attention.head_count_kv", U32, KV_HEADS), ("llama.rope.dimension_count", U32, HEAD_DIM),
       ("llama.attention.layer_norm_rms_epsilon", F32, 1e-5)]
gguf(os.path.join(HERE, "model-q8.gguf"), kvs, tensors)
with open(os.path.join(HERE, "expected.json"), "w") as f:
    json.dump(expected, f, indent=1)
print("wrote", sorted(f for f in os.listdir(HERE) if not f.endswith(".py")))
