#pragma once

#include "tensor/Tensor.h"

#include <nlohmann/json.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ckpt {

// What every writer is told. A format takes what it can hold and ignores the rest (each writer
// says which).
struct WriteOptions {
    bool compress = false;
    bool overwrite = false; // replace an existing file
    std::vector<std::string> sources; // files being read: never written over
    std::map<std::string, std::string> metadata; // string metadata, for formats that carry it
    std::optional<nlohmann::ordered_json> architecture; // the network these parameters make
    const std::atomic<bool>* cancel = nullptr; // set to stop: the writer throws Cancelled
    std::function<void(std::int64_t bytesDone, std::int64_t bytesTotal)> progress;
};

// One output format, the write side of FormatReader: its extensions, what it can hold, and a
// write that streams one tensor at a time into a temporary file renamed into place when
// complete. write() throws CheckpointError naming the output, or Cancelled.
class FormatWriter {
public:
    virtual ~FormatWriter() = default;
    virtual std::string_view name() const = 0; // "HDF5", "safetensors", "npz"
    virtual std::vector<std::string_view> extensions() const = 0; // lower case, with the dot
    virtual bool holds(DType dtype) const = 0;
    virtual bool compresses() const { return false; } // honours WriteOptions::compress
    virtual bool holdsArchitecture() const { return false; } // honours WriteOptions::architecture
    virtual void write(
        const std::string& path, const std::vector<Tensor>& tensors, const WriteOptions& options) const = 0;
};

} // namespace ckpt
