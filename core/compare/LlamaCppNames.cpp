#include "compare/LlamaCppNames.h"

#include <optional>

namespace ckpt {

namespace {

// One GGUF name stem and its counterparts; "{}" stands for the block number.
struct NameRow {
    std::string_view stem;
    std::vector<std::string_view> names;
    std::vector<std::string_view> transposedNames = {}; // GPT-2 Conv1D
};

// From gguf-py/gguf/tensor_mapping.py (llama.cpp), the architectures people quantize most.
const std::vector<NameRow>& nameTable()
{
    static const std::vector<NameRow> table = {
        { "token_embd",
            { "model.embed_tokens", "transformer.wte", "gpt_neox.embed_in", "transformer.word_embeddings",
                "tok_embeddings" } },
        { "token_embd_norm", { "transformer.word_embeddings_layernorm", "word_embeddings_layernorm" } },
        { "position_embd", { "transformer.wpe" } },
        { "output_norm", { "model.norm", "transformer.ln_f", "gpt_neox.final_layer_norm", "norm" } },
        { "output", { "lm_head", "embed_out", "output" } },
        { "blk.{}.attn_norm",
            { "model.layers.{}.input_layernorm", "transformer.h.{}.ln_1", "gpt_neox.layers.{}.input_layernorm",
                "transformer.h.{}.input_layernorm", "layers.{}.attention_norm" } },
        { "blk.{}.attn_q",
            { "model.layers.{}.self_attn.q_proj", "transformer.h.{}.attn.q_proj", "layers.{}.attention.wq" } },
        { "blk.{}.attn_k",
            { "model.layers.{}.self_attn.k_proj", "transformer.h.{}.attn.k_proj", "layers.{}.attention.wk" } },
        { "blk.{}.attn_v",
            { "model.layers.{}.self_attn.v_proj", "transformer.h.{}.attn.v_proj", "layers.{}.attention.wv" } },
        { "blk.{}.attn_q_norm", { "model.layers.{}.self_attn.q_norm" } },
        { "blk.{}.attn_k_norm", { "model.layers.{}.self_attn.k_norm" } },
        { "blk.{}.attn_qkv",
            { "gpt_neox.layers.{}.attention.query_key_value", "transformer.h.{}.self_attention.query_key_value",
                "model.layers.{}.self_attn.qkv_proj" },
            { "transformer.h.{}.attn.c_attn" } },
        { "blk.{}.attn_output",
            { "model.layers.{}.self_attn.o_proj", "gpt_neox.layers.{}.attention.dense",
                "transformer.h.{}.self_attention.dense", "transformer.h.{}.attn.out_proj", "layers.{}.attention.wo" },
            { "transformer.h.{}.attn.c_proj" } },
        { "blk.{}.ffn_norm",
            { "model.layers.{}.post_attention_layernorm", "transformer.h.{}.ln_2",
                "gpt_neox.layers.{}.post_attention_layernorm", "transformer.h.{}.post_attention_layernorm",
                "layers.{}.ffn_norm" } },
        { "blk.{}.ffn_gate", { "model.layers.{}.mlp.gate_proj", "layers.{}.feed_forward.w1" } },
        { "blk.{}.ffn_up",
            { "model.layers.{}.mlp.up_proj", "gpt_neox.layers.{}.mlp.dense_h_to_4h",
                "transformer.h.{}.mlp.dense_h_to_4h", "transformer.h.{}.mlp.fc_in", "layers.{}.feed_forward.w3" },
            { "transformer.h.{}.mlp.c_fc" } },
        { "blk.{}.ffn_down",
            { "model.layers.{}.mlp.down_proj", "gpt_neox.layers.{}.mlp.dense_4h_to_h",
                "transformer.h.{}.mlp.dense_4h_to_h", "transformer.h.{}.mlp.fc_out", "layers.{}.feed_forward.w2" },
            { "transformer.h.{}.mlp.c_proj" } },
    };
    return table;
}

// "blk.12.attn_q" -> ("blk.{}.attn_q", "12"); names without a block number pass unchanged.
std::pair<std::string, std::string> blockPattern(std::string_view stem)
{
    constexpr std::string_view blk = "blk.";
    if (stem.substr(0, blk.size()) != blk)
        return { std::string(stem), "" };
    const std::size_t dot = stem.find('.', blk.size());
    const std::string_view number = stem.substr(blk.size(), dot == std::string_view::npos ? 0 : dot - blk.size());
    if (number.empty() || number.find_first_not_of("0123456789") != std::string_view::npos)
        return { std::string(stem), "" };
    return { "blk.{}" + std::string(stem.substr(dot)), std::string(number) };
}

std::string filled(std::string_view pattern, const std::string& block)
{
    std::string out(pattern);
    if (const auto at = out.find("{}"); at != std::string::npos)
        out.replace(at, 2, block);
    return out;
}

bool isRopePermutedArchitecture(const Checkpoint& gguf)
{
    const auto it = gguf.metadata.find("general.architecture");
    if (it == gguf.metadata.end() || !it->is_string())
        return false;
    // The converter classes built on LlamaModel.permute (convert_hf_to_gguf.py).
    const std::string arch = it->get<std::string>();
    return arch == "llama" || arch == "granite" || arch == "granitemoe" || arch == "deci";
}

// A head count of the metadata: a positive integer of any integer type, or, where it is per layer
// (an array, as Nemotron's "deci" writes), the entry of the tensor's block. None when absent,
// implausible, or an array too long to be listed in the metadata.
std::optional<std::int64_t> headCount(const Checkpoint& gguf, const std::string& key, const std::string& block)
{
    const auto it = gguf.metadata.find(key);
    if (it == gguf.metadata.end())
        return std::nullopt;
    const auto* value = &*it;
    if (it->is_array()) {
        if (block.empty() || block.size() > 6 || std::stoul(block) >= it->size())
            return std::nullopt;
        value = &(*it)[std::stoul(block)];
    }
    if (!value->is_number_integer())
        return std::nullopt;
    if (value->is_number_unsigned() && value->get<std::uint64_t>() >= (1u << 20))
        return std::nullopt;
    const auto n = value->get<std::int64_t>();
    return n > 0 && n < (1 << 20) ? std::optional<std::int64_t>(n) : std::nullopt;
}

} // namespace

std::vector<GgufCounterpart> ggufCounterparts(std::string_view ggufName)
{
    std::string_view suffix;
    for (std::string_view s : { std::string_view(".weight"), std::string_view(".bias") })
        if (ggufName.size() > s.size() && ggufName.substr(ggufName.size() - s.size()) == s)
            suffix = s;
    if (suffix.empty())
        return {};
    const auto [pattern, block] = blockPattern(ggufName.substr(0, ggufName.size() - suffix.size()));
    std::vector<GgufCounterpart> out;
    for (const NameRow& row : nameTable()) {
        if (row.stem != pattern)
            continue;
        const bool rotary = pattern == "blk.{}.attn_q" || pattern == "blk.{}.attn_k";
        for (std::string_view n : row.names)
            out.push_back(
                { filled(n, block) + std::string(suffix), false, rotary && n.substr(0, 13) == "model.layers." });
        for (std::string_view n : row.transposedNames)
            out.push_back({ filled(n, block) + std::string(suffix), suffix == ".weight", false });
    }
    return out;
}

std::int64_t ropePermutationHeads(const Checkpoint& gguf, std::string_view ggufName, std::int64_t rows)
{
    if (!isRopePermutedArchitecture(gguf))
        return 0;
    const std::string arch = gguf.metadata.at("general.architecture").get<std::string>();
    const auto [pattern, block] = blockPattern(ggufName);
    const auto heads = headCount(gguf, arch + ".attention.head_count", block);
    std::optional<std::int64_t> used;
    if (pattern == "blk.{}.attn_q.weight" || pattern == "blk.{}.attn_q.bias")
        used = heads;
    else if (pattern == "blk.{}.attn_k.weight" || pattern == "blk.{}.attn_k.bias")
        used = headCount(gguf, arch + ".attention.head_count_kv", block).value_or(heads.value_or(0));
    if (!used || *used <= 0 || rows % (2 * *used) != 0)
        return 0;
    return *used;
}

std::int64_t hfRowOfGgufRow(std::int64_t row, std::int64_t rows, std::int64_t heads)
{
    const std::int64_t d = rows / heads, half = d / 2;
    const std::int64_t h = row / d, r = row % d;
    return h * d + (r % 2) * half + r / 2;
}

std::int64_t ggufRowOfHfRow(std::int64_t row, std::int64_t rows, std::int64_t heads)
{
    const std::int64_t d = rows / heads, half = d / 2;
    const std::int64_t h = row / d, r = row % d;
    return h * d + 2 * (r % half) + r / half;
}

} // namespace ckpt
