#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ckpt {

struct SeedWorkflowResult {
    bool match = false; // Y_clone == Y element by element
    double maxAbsDiff = 0;
    std::vector<std::string> files;
};

// The seed chapter's workflow on our HDF5 core, writing into `dir`:
// x-file.h5 (x = arange(4)), x-files.h5 ([x, zeros(4)]), mydict.h5 ({x, y}),
// mlp.params.h5 (a 20->256 (ReLU)->10 MLP's parameters, PyTorch names and orientation),
// mlp-io.h5 (X = 2x20 random, Y = net(X)) and mlp-demo.h5 (all of it plus the architecture).
// It then reloads a clone from mlp.params.h5, reruns it on X and compares with Y.
SeedWorkflowResult runSeedWorkflow(const std::string& dir, std::uint64_t seed = 42, bool overwrite = true);

// Writes the self-describing demo checkpoint (parameters, X, Y, architecture) to `path`.
void writeDemoCheckpoint(const std::string& path, std::uint64_t seed = 42, bool overwrite = true);

} // namespace ckpt
