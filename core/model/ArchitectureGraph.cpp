// Architectures that are graphs or stacks of blocks: ONNX nodes (OnnxReader keeps them under
// "__onnx__/graph/nodes") and GGUF's general.architecture with its blk.N.* tensors.
#include "model/ArchitectureSources_p.h"

#include <algorithm>
#include <map>
#include <string_view>

namespace ckpt::detail {

namespace {

std::vector<std::string> stringsOf(const nlohmann::ordered_json& list)
{
    std::vector<std::string> out;
    if (list.is_array())
        for (const auto& v : list)
            if (v.is_string())
                out.push_back(v.get<std::string>());
    return out;
}

ArchitectureLayer nodeLayer(const Checkpoint& ckpt, const nlohmann::ordered_json& node, std::size_t index)
{
    ArchitectureLayer layer;
    layer.type = node.value("op_type", "");
    layer.name = node.value("name", "");
    if (layer.name.empty())
        layer.name = layer.type + "#" + std::to_string(index); // as OnnxProto names consumers
    if (node.contains("attributes") && node["attributes"].is_object())
        for (const auto& [key, value] : node["attributes"].items())
            layer.settings.emplace_back(key, settingText(value));
    layer.inputs = stringsOf(node.value("inputs", nlohmann::ordered_json()));
    layer.outputs = stringsOf(node.value("outputs", nlohmann::ordered_json()));
    // The inputs that are initializers are the layer's parameters.
    for (const auto& input : layer.inputs)
        if (ckpt.find(input) && std::find(layer.tensors.begin(), layer.tensors.end(), input) == layer.tensors.end())
            layer.tensors.push_back(input);
    return layer;
}

// "blk.12.attn_q.weight" -> "blk.12"; "token_embd.weight" -> "token_embd".
std::string ggufGroup(std::string_view name)
{
    auto end = name.find('.');
    if (name.substr(0, end) == "blk" && end != std::string_view::npos)
        end = name.find('.', end + 1);
    return std::string(name.substr(0, end));
}

} // namespace

std::optional<Architecture> onnxArchitecture(const Checkpoint& ckpt)
{
    const auto it = ckpt.metadata.find("__onnx__/graph/nodes");
    if (it == ckpt.metadata.end() || !it->is_array())
        return std::nullopt;
    Architecture out { "ONNX graph", {}, {} };
    if (const auto n = ckpt.metadata.find("__onnx__/nodes");
        n != ckpt.metadata.end() && n->is_number() && n->get<std::size_t>() > it->size())
        out.settings.emplace_back("listed", std::to_string(it->size()) + " of " + n->dump() + " nodes");
    for (std::size_t i = 0; i < it->size(); ++i)
        if ((*it)[i].is_object())
            out.layers.push_back(nodeLayer(ckpt, (*it)[i], i));
    return out;
}

std::optional<Architecture> ggufArchitecture(const Checkpoint& ckpt)
{
    const auto it = ckpt.metadata.find("general.architecture");
    if (it == ckpt.metadata.end() || !it->is_string())
        return std::nullopt;
    const std::string arch = it->get<std::string>();
    Architecture out { "GGUF general.architecture", { { "architecture", arch } }, {} };
    // The model's hyper-parameters are the scalar <arch>.* keys (block_count, embedding_length, ...).
    for (const auto& [key, value] : ckpt.metadata.items())
        if (key.starts_with(arch + ".") && !value.is_array() && !value.is_object())
            out.settings.emplace_back(key.substr(arch.size() + 1), settingText(value));
    // One layer per block or top-level name, in the order of their first tensor.
    std::map<std::string, std::size_t> index;
    for (const auto& t : ckpt.tensors) {
        const std::string group = ggufGroup(t.info.name);
        auto [at, added] = index.emplace(group, out.layers.size());
        if (added)
            out.layers.push_back({ group, group.starts_with("blk.") ? arch + " block" : "tensor", {}, {}, {}, {} });
        out.layers[at->second].tensors.push_back(t.info.name);
    }
    return out;
}

} // namespace ckpt::detail
