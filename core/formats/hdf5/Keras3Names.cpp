#include "formats/hdf5/Keras3Names.h"

#include "tensor/NameOrder.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <regex>

namespace ckpt {

namespace {

struct LayerObject {
    std::string object; // path of the object in the file, e.g. "layers/dense_1"
    std::string name; // the layer's own name, e.g. "dense_6"
    std::string className; // "Dense"; empty when unknown
    nlohmann::json config = nlohmann::json::object();
};

bool flag(const nlohmann::json& config, const char* key, bool fallback)
{
    auto it = config.find(key);
    return it != config.end() && it->is_boolean() ? it->get<bool>() : fallback;
}

// Variable names in save order for the layer classes whose variables have fixed names.
std::optional<std::vector<std::string>> variableNames(const std::string& className, const nlohmann::json& config)
{
    static const std::map<std::string, std::vector<std::string>> kernelBias
        = { { "Dense", {} }, { "Conv1D", {} }, { "Conv2D", {} }, { "Conv3D", {} }, { "Conv1DTranspose", {} },
              { "Conv2DTranspose", {} }, { "Conv3DTranspose", {} }, { "EinsumDense", {} } };
    if (kernelBias.contains(className)) {
        std::vector<std::string> names { "kernel" };
        if (flag(config, "use_bias", true))
            names.emplace_back("bias");
        return names;
    }
    if (className == "DepthwiseConv2D" || className == "DepthwiseConv1D") {
        std::vector<std::string> names { "kernel" };
        if (flag(config, "use_bias", true))
            names.emplace_back("bias");
        return names;
    }
    if (className == "BatchNormalization") {
        std::vector<std::string> names;
        if (flag(config, "scale", true))
            names.emplace_back("gamma");
        if (flag(config, "center", true))
            names.emplace_back("beta");
        names.emplace_back("moving_mean");
        names.emplace_back("moving_variance");
        return names;
    }
    if (className == "LayerNormalization") {
        std::vector<std::string> names;
        if (flag(config, "scale", true))
            names.emplace_back("gamma");
        if (flag(config, "center", true))
            names.emplace_back("beta");
        return names;
    }
    if (className == "Embedding")
        return std::vector<std::string> { "embeddings" };
    if (className == "PReLU")
        return std::vector<std::string> { "alpha" };
    return std::nullopt;
}

// The class a Keras 3 object name implies when there is no config: "batch_normalization_2" →
// "BatchNormalization". Only the classes variableNames() knows are worth recognising.
std::string classFromObjectName(std::string object)
{
    static const std::regex suffix("_[0-9]+$");
    object = std::regex_replace(object, suffix, "");
    for (const char* c :
        { "Dense", "Conv1D", "Conv2D", "Conv3D", "Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose", "EinsumDense",
            "DepthwiseConv1D", "DepthwiseConv2D", "BatchNormalization", "LayerNormalization", "Embedding", "PReLU" })
        if (kerasSnakeCase(c) == object)
            return c;
    return {};
}

std::string metadataString(const Checkpoint& ckpt, const std::string& key)
{
    auto it = ckpt.metadata.find(key);
    return it != ckpt.metadata.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The model's layers in the order Keras saves them, from config.json's layer list.
std::vector<LayerObject> layersFromConfig(const nlohmann::json& modelConfig)
{
    std::vector<LayerObject> layers;
    const auto* config = modelConfig.contains("config") ? &modelConfig["config"] : nullptr;
    if (!config || !config->is_object() || !config->contains("layers") || !(*config)["layers"].is_array())
        return layers;
    std::map<std::string, int> used;
    for (const auto& layer : (*config)["layers"]) {
        if (!layer.is_object() || !layer.contains("class_name") || !layer["class_name"].is_string())
            continue;
        const std::string className = layer["class_name"].get<std::string>();
        if (className == "InputLayer")
            continue; // not in model.layers, so not saved
        std::string object = kerasSnakeCase(className);
        if (auto [it, fresh] = used.try_emplace(object, 0); !fresh)
            object += "_" + std::to_string(++it->second);
        LayerObject entry { "layers/" + object, object, className, nlohmann::json::object() };
        if (layer.contains("config") && layer["config"].is_object()) {
            entry.config = layer["config"];
            if (entry.config.contains("name") && entry.config["name"].is_string())
                entry.name = entry.config["name"].get<std::string>();
        }
        layers.push_back(std::move(entry));
    }
    return layers;
}

// The optimizer's class, from config.json's compile_config or the `name` attribute Keras 3 writes.
std::string optimizerClass(const Checkpoint& ckpt, const nlohmann::json* modelConfig)
{
    if (modelConfig) {
        const auto ptr = nlohmann::json::json_pointer("/compile_config/optimizer/class_name");
        if (modelConfig->contains(ptr) && modelConfig->at(ptr).is_string())
            return modelConfig->at(ptr).get<std::string>();
    }
    std::string name = metadataString(ckpt, "optimizer/vars/name");
    std::transform(
        name.begin(), name.end(), name.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (name == "adam")
        return "Adam";
    if (name == "adamw")
        return "AdamW";
    if (name == "sgd")
        return "SGD";
    if (name == "adagrad")
        return "Adagrad";
    return {};
}

// Names optimizer/vars/N after the model variable each slot belongs to, when the optimizer is one
// whose layout we know and every slot's shape matches: Keras keeps [iterations, (learning_rate,)]
// then, per trainable variable in model order, one entry per slot.
void nameOptimizerSlots(
    std::vector<Tensor>& tensors, const std::vector<std::size_t>& trainable, const std::string& optimizer)
{
    static const std::map<std::string, std::vector<std::string>> kSlots = { { "Adam", { "momentum", "velocity" } },
        { "AdamW", { "momentum", "velocity" } }, { "SGD", { "momentum" } }, { "Adagrad", { "accumulator" } } };
    auto slots = kSlots.find(optimizer);
    if (slots == kSlots.end() || trainable.empty())
        return;
    static const std::regex slot("^optimizer/vars/([0-9]{1,6})$");
    std::map<int, std::size_t> byIndex;
    for (std::size_t i = 0; i < tensors.size(); ++i) {
        std::smatch m;
        if (std::regex_match(tensors[i].info.name, m, slot))
            byIndex[std::stoi(m[1].str())] = i;
    }
    if (byIndex.empty() || byIndex.rbegin()->first + 1 != int(byIndex.size()))
        return;
    const std::size_t perVariable = slots->second.size();
    const std::size_t count = byIndex.size();
    if (count < trainable.size() * perVariable)
        return;
    const std::size_t base = count - trainable.size() * perVariable;
    if (base < 1 || base > 2)
        return;
    for (std::size_t k = 0; k < trainable.size(); ++k)
        for (std::size_t s = 0; s < perVariable; ++s)
            if (tensors[byIndex[int(base + k * perVariable + s)]].info.shape != tensors[trainable[k]].info.shape)
                return;
    tensors[byIndex[0]].info.name = "optimizer/iterations";
    if (base == 2)
        tensors[byIndex[1]].info.name = "optimizer/learning_rate";
    for (std::size_t k = 0; k < trainable.size(); ++k)
        for (std::size_t s = 0; s < perVariable; ++s)
            tensors[byIndex[int(base + k * perVariable + s)]].info.name
                = "optimizer/" + tensors[trainable[k]].info.name + "/" + slots->second[s];
}

} // namespace

std::string kerasSnakeCase(const std::string& className)
{
    static const std::regex first("(.)([A-Z][a-z]+)");
    static const std::regex second("([a-z])([A-Z])");
    std::string s = std::regex_replace(className, first, "$1_$2");
    s = std::regex_replace(s, second, "$1_$2");
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

bool applyKeras3Names(Checkpoint& ckpt, const nlohmann::json* modelConfig)
{
    static const std::regex layerVariable("^((?:.*/)?layers/[^/]+)/vars/([0-9]+)$");
    // object path → (variable index → tensor index)
    std::map<std::string, std::map<int, std::size_t>> variables;
    std::vector<std::string> objectOrder;
    for (std::size_t i = 0; i < ckpt.tensors.size(); ++i) {
        std::smatch m;
        const std::string& name = ckpt.tensors[i].info.name;
        if (!std::regex_match(name, m, layerVariable) || m[2].length() > 6)
            continue;
        auto [it, fresh] = variables.try_emplace(m[1].str());
        if (fresh)
            objectOrder.push_back(m[1].str());
        it->second[std::stoi(m[2].str())] = i;
    }
    if (variables.empty())
        return false;

    std::vector<LayerObject> layers = modelConfig ? layersFromConfig(*modelConfig) : std::vector<LayerObject> {};
    std::stable_sort(objectOrder.begin(), objectOrder.end(), naturalLess);
    for (const auto& object : objectOrder) {
        if (std::any_of(layers.begin(), layers.end(), [&](const LayerObject& l) { return l.object == object; }))
            continue;
        // Not in the config (or no config): name and class from what the file says.
        const std::string leaf = object.substr(object.rfind('/') + 1);
        const std::string prefix = object.substr(0, object.size() - leaf.size() - std::string("layers/").size());
        std::string name = metadataString(ckpt, object + "/vars/name");
        if (name.empty())
            name = leaf;
        layers.push_back({ object, prefix + name, classFromObjectName(leaf), nlohmann::json::object() });
    }

    std::vector<Tensor> ordered;
    std::vector<std::size_t> trainable; // indices into `ordered`, in model order
    std::vector<bool> taken(ckpt.tensors.size(), false);
    for (const auto& layer : layers) {
        auto found = variables.find(layer.object);
        if (found == variables.end())
            continue;
        const auto& byIndex = found->second;
        auto names = variableNames(layer.className, layer.config);
        // Without a config, use_bias=False shows only as a kernel with no bias.
        if (names && layer.config.empty() && names->size() == 2 && (*names)[1] == "bias" && byIndex.size() == 1)
            names->pop_back();
        const bool named
            = names && names->size() == byIndex.size() && byIndex.rbegin()->first + 1 == int(byIndex.size());
        for (const auto& [index, tensorIndex] : byIndex) {
            Tensor t = ckpt.tensors[tensorIndex];
            const std::string variable
                = named ? (*names)[static_cast<std::size_t>(index)] : "vars/" + std::to_string(index);
            t.info.name = layer.name + "/" + variable;
            if (named && variable != "moving_mean" && variable != "moving_variance")
                trainable.push_back(ordered.size());
            taken[tensorIndex] = true;
            ordered.push_back(std::move(t));
        }
        if (!layer.className.empty())
            ckpt.metadata[layer.name + "/class_name"] = layer.className;
    }
    // Everything else (optimizer, metrics, the model's own vars) in natural order: vars/2 before vars/10.
    const std::size_t firstRest = ordered.size();
    for (std::size_t i = 0; i < ckpt.tensors.size(); ++i)
        if (!taken[i])
            ordered.push_back(ckpt.tensors[i]);
    std::stable_sort(ordered.begin() + static_cast<std::ptrdiff_t>(firstRest), ordered.end(),
        [](const Tensor& a, const Tensor& b) { return naturalLess(a.info.name, b.info.name); });
    nameOptimizerSlots(ordered, trainable, optimizerClass(ckpt, modelConfig));
    ckpt.tensors = std::move(ordered);
    return true;
}

} // namespace ckpt
