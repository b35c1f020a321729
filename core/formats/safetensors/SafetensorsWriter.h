#pragma once

#include "tensor/Tensor.h"

#include <atomic>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ckpt {

struct SafetensorsWriteOptions {
    bool overwrite = false;
    std::vector<std::string> sources;               // files being read: never written over
    std::map<std::string, std::string> metadata;    // "__metadata__" (string to string)
    const std::atomic<bool>* cancel = nullptr;
    std::function<void(std::int64_t bytesDone, std::int64_t bytesTotal)> progress;
};

// The safetensors name of a dtype ("F32", "BF16", ...), or nullopt when the format has none.
std::optional<std::string> safetensorsDtypeName(DType dtype);

// Writes the tensors as the reference implementation does: an 8-byte little-endian header
// length, a JSON header padded with spaces to a multiple of 8 bytes, then the data, ordered by
// decreasing alignment and then by name, with no gaps. Streams each tensor; atomic output.
// Throws CheckpointError naming the output (or the tensor the format cannot hold).
void writeSafetensors(const std::string& path, const std::vector<Tensor>& tensors,
                      const SafetensorsWriteOptions& options = {});

} // namespace ckpt
