// Keras model configs: a .keras archive's config.json (KerasArchiveReader keeps it as text under
// "config.json") and a Keras 2 HDF5 file's model_config attribute (Hdf5Reader: "model_config").
#include "model/ArchitectureSources_p.h"

#include <array>
#include <string_view>

namespace ckpt::detail {

namespace {

// The settings worth a column: what decides a layer's shape and behaviour, not bookkeeping.
constexpr std::array kMainSettings { "units", "activation", "filters", "kernel_size", "strides", "padding", "pool_size",
    "epsilon", "momentum", "rate", "axis", "use_bias", "input_dim", "output_dim", "num_heads", "key_dim", "batch_shape",
    "batch_input_shape", "target_shape", "dims", "groups", "dilation_rate" };

// The layer list of a model config: {"config": {"layers": [...]}}, or Keras 2.2's Sequential
// {"config": [...]}.
const nlohmann::ordered_json* layerList(const nlohmann::ordered_json& model)
{
    if (!model.is_object() || !model.contains("config"))
        return nullptr;
    const auto& config = model["config"];
    if (config.is_array())
        return &config;
    if (config.is_object() && config.contains("layers") && config["layers"].is_array())
        return &config["layers"];
    return nullptr;
}

// The first component of a tensor name, skipping Keras 2's "model_weights/" group.
std::string_view layerComponent(std::string_view name)
{
    constexpr std::string_view group = "model_weights/";
    if (name.starts_with(group))
        name.remove_prefix(group.size());
    return name.substr(0, name.find('/'));
}

ArchitectureLayer layerOf(const Checkpoint& ckpt, const nlohmann::ordered_json& described)
{
    ArchitectureLayer layer;
    layer.type = described.value("class_name", "");
    const auto& config = described.contains("config") ? described["config"] : described;
    if (config.is_object()) {
        layer.name = config.contains("name") && config["name"].is_string() ? config["name"].get<std::string>() : "";
        for (const char* key : kMainSettings)
            if (config.contains(key) && !config[key].is_null())
                layer.settings.emplace_back(key, settingText(config[key]));
    }
    // Keras stores a layer's variables under its name (Keras 3 names: "<layer>/kernel").
    for (const auto& t : ckpt.tensors)
        if (!layer.name.empty() && layerComponent(t.info.name) == layer.name)
            layer.tensors.push_back(t.info.name);
    return layer;
}

std::optional<Architecture> fromConfig(const Checkpoint& ckpt, const char* key, const char* source)
{
    const auto it = ckpt.metadata.find(key);
    if (it == ckpt.metadata.end())
        return std::nullopt;
    const auto model = jsonValue(*it);
    const auto* layers = layerList(model);
    if (!layers)
        return std::nullopt;
    Architecture out { source, {}, {} };
    if (model.contains("class_name"))
        out.settings.emplace_back("model", settingText(model["class_name"]));
    for (const auto& described : *layers)
        if (described.is_object())
            out.layers.push_back(layerOf(ckpt, described));
    return out;
}

} // namespace

std::optional<Architecture> kerasArchitecture(const Checkpoint& ckpt)
{
    if (auto arch = fromConfig(ckpt, "config.json", "Keras config.json"))
        return arch;
    return fromConfig(ckpt, "model_config", "Keras model_config");
}

} // namespace ckpt::detail
