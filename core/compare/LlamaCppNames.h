#pragma once

#include "tensor/Checkpoint.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ckpt {

// llama.cpp's GGUF tensor names ("blk.3.attn_q.weight") against the names of the checkpoints its
// converter reads (gguf-py/gguf/tensor_mapping.py): Hugging Face LLaMA/Mistral/Qwen
// ("model.layers.3.self_attn.q_proj.weight"), GPT-2, GPT-NeoX, Falcon/BLOOM, GPT-J and Meta's
// original LLaMA files ("layers.3.attention.wq.weight").
struct GgufCounterpart {
    std::string name;
    bool transposed = false; // GPT-2's Conv1D weights: convert_hf_to_gguf.py stores them transposed
    bool ropePermuted = false; // Hugging Face LLaMA Q/K: rows permuted by the converter
};

// The candidate names, most common first; empty for a name llama.cpp does not give.
std::vector<GgufCounterpart> ggufCounterparts(std::string_view ggufName);

// convert_hf_to_gguf.py's LlamaModel.permute stores each head's rows of Q and K with the two
// rotary halves interleaved (Meta's layout): GGUF row h*d + 2i + j holds Hugging Face row
// h*d + j*d/2 + i, d = rows / heads. The head count it used for this GGUF tensor: the attention
// head count for attn_q, the key/value head count for attn_k; 0 when the file's architecture is
// not converted that way or the rows do not split into heads of even size.
std::int64_t ropePermutationHeads(const Checkpoint& gguf, std::string_view ggufName, std::int64_t rows);

std::int64_t hfRowOfGgufRow(std::int64_t row, std::int64_t rows, std::int64_t heads);
std::int64_t ggufRowOfHfRow(std::int64_t row, std::int64_t rows, std::int64_t heads);

} // namespace ckpt
