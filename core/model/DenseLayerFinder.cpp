#include "model/DenseLayerFinder.h"

#include "tensor/NameOrder.h"

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace ckpt {

namespace {

bool endsWith(std::string_view s, std::string_view suffix)
{
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// "dense/kernel:0" -> base "dense/", suffix ":0"; "layer_with_weights-0/kernel" -> "layer_with_weights-0/".
bool splitKernelName(const std::string& name, std::string& base, std::string& suffix)
{
    std::string stem = name;
    suffix.clear();
    if (const auto colon = stem.rfind(':'); colon != std::string::npos && colon > stem.rfind('/')) {
        suffix = stem.substr(colon);
        stem.resize(colon);
    }
    if (stem == "kernel") {
        base.clear();
        return true;
    }
    if (!endsWith(stem, "/kernel") && !endsWith(stem, ".kernel"))
        return false;
    base = stem.substr(0, stem.size() - 6);
    return true;
}

std::optional<DenseLayerRef> layerFor(const Checkpoint& c, const Tensor& t, const std::string& prefix)
{
    const std::string& n = t.info.name;
    if (n.rfind(prefix, 0) != 0 || t.info.shape.size() != 2)
        return std::nullopt;
    DenseLayerRef ref;
    ref.weight = n;
    std::string base;
    if (endsWith(n, ".weight")) {
        base = n.substr(0, n.size() - 7);
        ref.bias = base + ".bias";
        ref.outputs = t.info.shape[0];
        ref.inputs = t.info.shape[1];
        ref.name = base.substr(std::min(prefix.size(), base.size()));
    } else if (std::string suffix; splitKernelName(n, base, suffix)) {
        ref.kernel = true;
        ref.bias = base + "bias" + suffix;
        ref.inputs = t.info.shape[0];
        ref.outputs = t.info.shape[1];
        std::string layer = base.substr(std::min(prefix.size(), base.size()));
        while (!layer.empty() && (layer.back() == '/' || layer.back() == '.'))
            layer.pop_back();
        // Keras HDF5 repeats the layer: "dense/dense/" -> "dense".
        if (const auto half = layer.size() / 2;
            layer.size() % 2 == 1 && layer[half] == '/' && layer.compare(0, half, layer, half + 1, half) == 0)
            layer.resize(half);
        ref.name = layer.empty() ? "dense" : layer;
    } else {
        return std::nullopt;
    }
    const Tensor* bias = c.find(ref.bias);
    if (!bias)
        ref.bias.clear();
    else if (bias->info.shape != Shape { ref.outputs })
        throw std::invalid_argument("layer '" + ref.name + "': bias '" + ref.bias + "' has shape "
            + shapeToString(bias->info.shape) + " but the layer has " + std::to_string(ref.outputs) + " outputs");
    return ref;
}

// Layers numbered by their names: nn.Sequential indices ("0", "model.10") or Keras/TF checkpoint
// dependencies ("layer_with_weights-10"), which a bytewise-sorted TF index lists as 0, 1, 10, 11, 2.
bool isIndex(std::string_view layer)
{
    const auto parts = splitName(layer);
    if (parts.empty())
        return false;
    std::string_view last = parts.back();
    if (constexpr std::string_view keras = "layer_with_weights-"; last.substr(0, keras.size()) == keras)
        last.remove_prefix(keras.size());
    return !last.empty()
        && std::all_of(last.begin(), last.end(), [](char ch) { return std::isdigit((unsigned char)ch); });
}

} // namespace

std::vector<DenseLayerRef> findDenseLayers(const Checkpoint& c, const std::string& prefix)
{
    std::vector<DenseLayerRef> layers;
    for (const auto& t : c.tensors)
        if (auto ref = layerFor(c, t, prefix))
            layers.push_back(std::move(*ref));
    if (layers.empty())
        throw std::invalid_argument("no dense layers ('<layer>.weight' or '<layer>/kernel' matrices) found"
            + (prefix.empty() ? std::string() : " under '" + prefix + "'"));
    if (std::all_of(layers.begin(), layers.end(), [](const auto& l) { return isIndex(l.name); }))
        std::stable_sort(
            layers.begin(), layers.end(), [](const auto& a, const auto& b) { return naturalLess(a.name, b.name); });
    for (std::size_t i = 1; i < layers.size(); ++i)
        if (layers[i].inputs != layers[i - 1].outputs)
            throw std::invalid_argument("the layers do not chain: '" + layers[i].name + "' (" + layers[i].weight
                + ") takes " + std::to_string(layers[i].inputs) + " inputs but '" + layers[i - 1].name + "' gives "
                + std::to_string(layers[i - 1].outputs) + " outputs");
    return layers;
}

} // namespace ckpt
