#include "verify/Verification.h"

#include "base/CheckpointError.h"

#include <set>
#include <stdexcept>

namespace ckpt {

namespace {

Mlp rebuild(const Checkpoint& c, const MlpBuildOptions& options)
{
    try {
        return buildMlp(c, options);
    } catch (const CheckpointError&) {
        throw;
    } catch (const std::exception& e) {
        throw CheckpointError(c.path, std::string("cannot rebuild the network: ") + e.what());
    }
}

std::string fileName(const std::string& path)
{
    const auto slash = path.find_last_of('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

// "relu, relu, identity": the activation of each layer, as run.
std::string activationList(const Mlp& mlp)
{
    std::string out;
    for (const auto& l : mlp.layers())
        out += (out.empty() ? "" : ", ") + std::string(activationName(l.activation));
    return out;
}

std::string activationSource(const Checkpoint& params, const MlpBuildOptions& options)
{
    if (options.hidden || options.final)
        return "chosen";
    return hasStoredArchitecture(params, options) ? "stored in the file" : "default";
}

std::string whatItProves(const Verification& v, VerifyReference reference)
{
    const std::string acts = activationList(v.network);
    if (reference == VerifyReference::Clone)
        return v.result.comparison.match
            ? "the two parameter sets compute the same function on these inputs; both networks ran the same "
              "activations ("
                + acts + "), so this says nothing about the activations the model was trained with"
            : "the two parameter sets compute different functions on these inputs";
    return v.result.comparison.match ? "the rebuilt network (" + acts
            + ") reproduces the saved outputs: these parameters and activations "
              "compute the function that produced Y"
                                     : "the rebuilt network (" + acts
            + ") does not reproduce the saved outputs: the parameters, the "
              "activations or the layer order differ from those that produced Y";
}

// Tensors under the prefix that the network does not use (X and Y read from the same file aside).
std::vector<std::string> unusedTensors(const Checkpoint& params, const Mlp& mlp, const VerifyRequest& request)
{
    std::set<std::string> used;
    for (const auto& l : mlp.layers()) {
        used.insert(l.weightTensor);
        used.insert(l.biasTensor);
    }
    if (request.reference == VerifyReference::OutputsInFile) {
        used.insert(request.xName);
        used.insert(request.yName);
    }
    std::vector<std::string> unused;
    for (const auto& t : params.tensors)
        if (t.info.name.rfind(request.build.prefix, 0) == 0 && !used.contains(t.info.name))
            unused.push_back(t.info.name);
    return unused;
}

// The clone run with the activations the first network ran, layer by layer: a clone check
// compares parameters, and each file's own stored or default activations would blur that.
Mlp withActivationsOf(const Mlp& network, const Mlp& clone)
{
    std::vector<DenseLayer> layers = clone.layers();
    for (std::size_t i = 0; i < layers.size() && i < network.layers().size(); ++i)
        layers[i].activation = network.layers()[i].activation;
    return Mlp(std::move(layers));
}

Eigen::MatrixXd inputsFor(const Checkpoint& params, const Checkpoint* other, const Mlp& mlp, const VerifyRequest& r)
{
    switch (r.reference) {
    case VerifyReference::OutputsInFile:
        return readMatrix(params, r.xName);
    case VerifyReference::OutputsInOtherFile:
        return readMatrix(*other, r.xName);
    case VerifyReference::Clone:
        return randomInputs(r.batch, mlp.inputs(), r.seed);
    }
    throw std::logic_error("unknown verify reference");
}

} // namespace

Verification runVerification(const Checkpoint& params, const Checkpoint* other, const VerifyRequest& request)
{
    if (request.reference != VerifyReference::OutputsInFile && !other)
        throw CheckpointError(params.path,
            request.reference == VerifyReference::Clone ? "no clone checkpoint chosen" : "no file with X and Y chosen");
    Verification v;
    v.network = rebuild(params, request.build);
    v.activations = activationSource(params, request.build);
    const Eigen::MatrixXd x = inputsFor(params, other, v.network, request);
    const Checkpoint& referenceFile = request.reference == VerifyReference::OutputsInFile ? params : *other;
    try {
        if (request.reference == VerifyReference::Clone) {
            MlpBuildOptions cloneBuild = request.build;
            if (!request.clonePrefix.empty())
                cloneBuild.prefix = request.clonePrefix;
            v.clone = withActivationsOf(v.network, rebuild(*other, cloneBuild));
            v.result = verifyAgainstClone(v.network, *v.clone, x, request.verify);
            v.against = "the clone " + fileName(other->path);
        } else {
            v.result = verifyAgainstOutputs(v.network, x, readMatrix(referenceFile, request.yName), request.verify);
            v.against = request.yName + " in " + fileName(referenceFile.path);
        }
    } catch (const std::invalid_argument& e) {
        throw CheckpointError(referenceFile.path, e.what());
    }
    v.proves = whatItProves(v, request.reference);
    v.unusedTensors = unusedTensors(params, v.network, request);
    return v;
}

std::string unusedTensorsNote(const Verification& v)
{
    if (v.unusedTensors.empty())
        return {};
    std::string names;
    for (std::size_t i = 0; i < v.unusedTensors.size() && i < 4; ++i)
        names += (i ? ", " : "") + v.unusedTensors[i];
    if (v.unusedTensors.size() > 4)
        names += ", …";
    const std::size_t n = v.unusedTensors.size();
    return "verify rebuilds dense MLPs; " + std::to_string(n) + (n == 1 ? " tensor" : " tensors")
        + " not used: " + names;
}

nlohmann::ordered_json verificationJson(const Verification& v, const VerifyRequest& request)
{
    nlohmann::ordered_json j = verifyJson(v.network, v.result, request.verify);
    j["reference"] = v.against;
    j["activations"] = v.activations;
    j["proves"] = v.proves;
    j["unused_tensors"] = v.unusedTensors;
    return j;
}

} // namespace ckpt
