#pragma once

#include "export/ExportPlan.h"
#include "export/WriterRegistry.h"

#include <atomic>
#include <functional>
#include <optional>
#include <string>

namespace ckpt {

struct ExportOptions {
    ExportSelection selection;
    bool compress = false; // for writers that compress (HDF5 gzip+shuffle, npz deflate)
    bool withArchitecture = false; // for writers that hold it (HDF5): the rebuilt MLP's architecture
    bool castToFloat32 = false; // write dtypes the format cannot hold (bfloat16, float8 in npz) as float32
    bool overwrite = false;
    const std::atomic<bool>* cancel = nullptr; // set to stop: exportCheckpoint throws Cancelled, nothing is left behind
    std::function<void(double)> progress; // 0..1, called on the exporting thread
};

struct ExportSummary {
    std::string path;
    std::string format; // the writer's name: "HDF5", "safetensors", "npz"
    std::vector<std::string> names; // output names, in the order written
    std::int64_t bytes = 0; // tensor bytes written
};

// Writes the selected tensors of `source` to `path`, one tensor in memory at a time, through a
// temporary file renamed into place only when complete. Refuses to overwrite without
// `overwrite` and always refuses to write onto the source. Throws CheckpointError naming the
// output (or the source, when reading it fails), or Cancelled when options.cancel was set.
ExportSummary exportCheckpoint(const Checkpoint& source, const std::string& path, const ExportOptions& options);

} // namespace ckpt
