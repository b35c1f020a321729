#include "model/MlpBuilder.h"

#include "base/BoundedJson.h"
#include "model/DenseLayerFinder.h"
#include "numerics/Convert.h"

#include <stdexcept>

namespace ckpt {

namespace {

const Tensor& require(const Checkpoint& ckpt, const std::string& name)
{
    const Tensor* t = ckpt.find(name);
    if (!t)
        throw std::invalid_argument("no tensor named '" + name + "'");
    return *t;
}

DenseLayer layerFrom(const Checkpoint& ckpt, const std::string& name, const std::string& weightName,
    const std::string& biasName, bool kernel, Activation activation)
{
    const TensorData w = readTensor(require(ckpt, weightName));
    if (w.shape.size() != 2)
        throw std::invalid_argument("'" + weightName + "' is not a matrix: shape " + shapeToString(w.shape));
    DenseLayer l;
    l.name = name;
    l.weight = kernel ? Eigen::MatrixXd(toMatrix(w).transpose()) : toMatrix(w);
    l.activation = activation;
    l.weightTensor = weightName;
    if (!biasName.empty() && ckpt.find(biasName)) {
        l.biasTensor = biasName;
        const TensorData b = readTensor(require(ckpt, biasName));
        l.bias = toMatrix(b).transpose();
    } else {
        l.bias = Eigen::VectorXd::Zero(l.weight.rows());
    }
    return l;
}

// The activation of layer `index` of `count`: the user's choice if made, else `stored`.
Activation chosenActivation(const MlpBuildOptions& options, std::size_t index, std::size_t count, Activation stored)
{
    const auto& chosen = index + 1 == count ? options.final : options.hidden;
    return chosen.value_or(stored);
}

// The "architecture" metadata entry describing an MLP, or null.
nlohmann::ordered_json storedArchitecture(const Checkpoint& ckpt, const MlpBuildOptions& options)
{
    const auto it = ckpt.metadata.find("architecture");
    if (it == ckpt.metadata.end() || !options.prefix.empty())
        return nullptr;
    auto arch = it->is_string() ? parseBoundedJson(it->get<std::string>()) : *it;
    if (arch.is_object() && arch.value("type", "") == "mlp" && arch.contains("layers") && arch["layers"].is_array())
        return arch;
    return nullptr;
}

Mlp fromArchitecture(const Checkpoint& ckpt, const nlohmann::ordered_json& arch, const MlpBuildOptions& options)
{
    std::vector<DenseLayer> layers;
    const auto& described = arch.at("layers");
    for (std::size_t i = 0; i < described.size(); ++i) {
        const auto& l = described[i];
        const auto act = activationFromName(l.value("activation", "identity"));
        if (!act)
            throw std::invalid_argument("unknown activation '" + l.value("activation", "") + "' in the architecture");
        layers.push_back(layerFrom(ckpt, l.at("name").get<std::string>(), l.at("weight").get<std::string>(),
            l.value("bias", ""), l.value("kernel", false), chosenActivation(options, i, described.size(), *act)));
    }
    return Mlp(std::move(layers));
}

} // namespace

bool hasStoredArchitecture(const Checkpoint& ckpt, const MlpBuildOptions& options)
{
    return !storedArchitecture(ckpt, options).is_null();
}

Mlp buildMlp(const Checkpoint& ckpt, const MlpBuildOptions& options)
{
    if (const auto arch = storedArchitecture(ckpt, options); !arch.is_null())
        return fromArchitecture(ckpt, arch, options);
    const auto refs = findDenseLayers(ckpt, options.prefix);
    std::vector<DenseLayer> layers;
    for (std::size_t i = 0; i < refs.size(); ++i) {
        const Activation byDefault = i + 1 == refs.size() ? Activation::Identity : Activation::ReLU;
        layers.push_back(layerFrom(ckpt, refs[i].name, refs[i].weight, refs[i].bias, refs[i].kernel,
            chosenActivation(options, i, refs.size(), byDefault)));
    }
    return Mlp(std::move(layers));
}

nlohmann::ordered_json architectureJson(const Mlp& mlp, const std::string& prefix)
{
    nlohmann::ordered_json layers = nlohmann::ordered_json::array();
    for (const auto& l : mlp.layers()) {
        layers.push_back({ { "name", l.name }, { "in", l.inputs() }, { "out", l.outputs() },
            { "activation", std::string(activationName(l.activation)) }, { "weight", prefix + l.name + ".weight" },
            { "bias", prefix + l.name + ".bias" } });
    }
    return { { "type", "mlp" }, { "layers", layers } };
}

Eigen::MatrixXd toMatrix(const TensorData& data)
{
    const Eigen::Index rows = data.shape.size() == 2 ? data.shape[0] : 1;
    const Eigen::Index cols = data.shape.size() == 2 ? data.shape[1] : data.numel();
    std::vector<double> values(static_cast<std::size_t>(rows * cols));
    convertToDouble(data.dtype, data.bytes.data(), rows * cols, values.data());
    return Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
        values.data(), rows, cols);
}

namespace {
template <typename T> TensorData pack(const double* values, Eigen::Index n, DType dtype, Shape shape)
{
    std::vector<T> out(static_cast<std::size_t>(n));
    for (Eigen::Index i = 0; i < n; ++i)
        out[static_cast<std::size_t>(i)] = static_cast<T>(values[i]);
    return makeTensorData(dtype, std::move(shape), out);
}
} // namespace

TensorData fromMatrix(const Eigen::MatrixXd& m, DType dtype)
{
    const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> rm = m;
    Shape shape { m.rows(), m.cols() };
    if (dtype == DType::Float32)
        return pack<float>(rm.data(), rm.size(), dtype, shape);
    if (dtype == DType::Float64)
        return pack<double>(rm.data(), rm.size(), dtype, shape);
    throw std::invalid_argument("fromMatrix supports float32 and float64");
}

TensorData fromVector(const Eigen::VectorXd& v, DType dtype)
{
    TensorData d = fromMatrix(v.transpose(), dtype);
    d.shape = { v.size() };
    return d;
}

} // namespace ckpt
