#pragma once

#include "verify/Verify.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ckpt {

// Where the reference outputs of a verification come from.
enum class VerifyReference {
    OutputsInFile, // X and Y stored beside the parameters
    OutputsInOtherFile, // X and Y in a second file (the seed's `ckpt verify PARAMS --io FILE`)
    Clone, // a clone's parameters: both networks run on the same random inputs
};

struct VerifyRequest {
    VerifyReference reference = VerifyReference::OutputsInFile;
    MlpBuildOptions build; // prefix and the activations chosen by the user
    std::string clonePrefix; // where the clone keeps its network; empty: build.prefix
    std::string xName = "X";
    std::string yName = "Y";
    std::uint64_t seed = 0; // random inputs of a clone check
    int batch = 16;
    VerifyOptions verify;
};

// One verification, with what it proves and what it left out.
struct Verification {
    Mlp network; // the network that was run, with the activations that were run
    std::optional<Mlp> clone;
    VerifyResult result;
    std::string against; // "Y in mlp.io.pt", "the clone clone.h5"
    std::string activations; // where the activations come from: "chosen", "stored in the file", "default"
    std::string proves; // what the verdict proves, in a sentence
    std::vector<std::string> unusedTensors; // tensors of the parameters (under the prefix) not in the network
};

// Rebuilds the network from `params` and checks it against `other`: the file holding X and Y
// (OutputsInOtherFile) or the clone (Clone); `other` is not used for OutputsInFile. Throws
// CheckpointError naming the file at fault. The CLI and the app both call this.
Verification runVerification(const Checkpoint& params, const Checkpoint* other, const VerifyRequest& request);

// "verify rebuilds dense MLPs; 4 tensors not used: conv1.weight, conv1.bias, …", or "".
std::string unusedTensorsNote(const Verification& v);

// verifyJson plus "reference", "activations", "proves" and "unused_tensors".
nlohmann::ordered_json verificationJson(const Verification& v, const VerifyRequest& request);

} // namespace ckpt
