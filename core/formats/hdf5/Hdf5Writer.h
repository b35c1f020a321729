#pragma once

#include "formats/FormatWriter.h"
#include "formats/hdf5/Hdf5Handle.h"
#include "output/AtomicOutput.h"
#include "tensor/Tensor.h"

#include <nlohmann/json.hpp>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

namespace ckpt {

// Writes our native HDF5 layout: groups mirror the name hierarchy ("hidden.weight" ->
// /hidden/weight), each dataset keeps its full original name in "tensor_name" and its dtype
// in "dtype" (bfloat16 and float8 are stored as their bit patterns), the root records the
// format, its version and the writer. The file appears at `path` only on commit().
class Hdf5Writer {
public:
    // Uses compress (gzip + shuffle, chunked), overwrite, sources and cancel (checked between
    // blocks: addTensor throws Cancelled).
    Hdf5Writer(std::string path, WriteOptions options = {});
    ~Hdf5Writer();

    // Streams the tensor from its source in blocks of rows (never the whole tensor at once
    // when it is large).
    void addTensor(const Tensor& tensor);
    // Root attribute (string, number, or JSON text for objects/arrays).
    void setAttribute(const std::string& name, const nlohmann::ordered_json& value);
    void commit();

    const std::string& path() const { return output_.target(); }

private:
    std::string datasetPathFor(const std::string& name);
    // Writes rows [row0, row0 + rows) along the first axis (the whole value of a scalar).
    void writeRows(hid_t ds, hid_t memType, const TensorInfo& info, std::int64_t row0, std::int64_t rows,
        const std::byte* data) const;

    AtomicOutput output_;
    WriteOptions options_;
    hdf5::Handle file_;
};

// Exports to HDF5 (.h5, .hdf5): every dtype, compression, the architecture as a root attribute;
// string metadata is not written.
class Hdf5FormatWriter final : public FormatWriter {
public:
    std::string_view name() const override { return "HDF5"; }
    std::vector<std::string_view> extensions() const override { return { ".h5", ".hdf5" }; }
    bool holds(DType) const override { return true; }
    bool compresses() const override { return true; }
    bool holdsArchitecture() const override { return true; }
    void write(const std::string& path, const std::vector<Tensor>& tensors, const WriteOptions& options) const override;
};

} // namespace ckpt
