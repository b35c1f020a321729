#include "model/Architecture.h"

#include "model/ArchitectureSources_p.h"

#include "base/BoundedJson.h"

namespace ckpt {

namespace detail {

std::string settingText(const nlohmann::ordered_json& value)
{
    if (value.is_string())
        return value.get<std::string>();
    if (value.is_array()) {
        std::string out;
        for (const auto& v : value)
            out += (out.empty() ? "" : ",") + settingText(v);
        return out;
    }
    return value.dump();
}

nlohmann::ordered_json jsonValue(const nlohmann::ordered_json& value)
{
    if (value.is_string())
        return parseBoundedJson(value.get<std::string>()); // settingText and dump() recurse per level
    return value;
}

} // namespace detail

namespace {

// Our HDF5 writer's "architecture" attribute (core/model/MlpBuilder.h: architectureJson).
std::optional<Architecture> storedMlp(const Checkpoint& ckpt)
{
    const auto it = ckpt.metadata.find("architecture");
    if (it == ckpt.metadata.end())
        return std::nullopt;
    const auto arch = detail::jsonValue(*it);
    if (!arch.is_object() || arch.value("type", "") != "mlp" || !arch.contains("layers") || !arch["layers"].is_array())
        return std::nullopt;
    Architecture out { "stored architecture (MLP)", {}, {} };
    for (const auto& l : arch["layers"]) {
        if (!l.is_object())
            continue;
        ArchitectureLayer layer { l.value("name", ""), "Dense", {}, {}, {}, {} };
        for (const char* key : { "in", "out", "activation" })
            if (l.contains(key))
                layer.settings.emplace_back(key, detail::settingText(l[key]));
        for (const char* key : { "weight", "bias" })
            if (l.contains(key) && l[key].is_string() && ckpt.find(l[key].get<std::string>()))
                layer.tensors.push_back(l[key].get<std::string>());
        out.layers.push_back(std::move(layer));
    }
    return out;
}

} // namespace

std::optional<Architecture> architectureOf(const Checkpoint& ckpt)
{
    // The most specific source first: a graph or a model config names every layer.
    for (auto* source :
        { &detail::onnxArchitecture, &detail::kerasArchitecture, &storedMlp, &detail::ggufArchitecture })
        if (auto arch = source(ckpt); arch && !arch->layers.empty())
            return arch;
    return std::nullopt;
}

} // namespace ckpt
