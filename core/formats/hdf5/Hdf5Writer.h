#pragma once

#include "formats/hdf5/Hdf5Handle.h"
#include "io/AtomicOutput.h"
#include "tensor/Tensor.h"

#include <nlohmann/json.hpp>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

namespace ckpt {

struct Hdf5WriteOptions {
    bool compress = false; // gzip + shuffle, chunked
    int gzipLevel = 4;
    bool overwrite = false; // replace an existing file
    std::vector<std::string> sources; // files being read: never written over
    const std::atomic<bool>* cancel = nullptr; // checked between blocks; addTensor throws Cancelled
};

// Writes our native HDF5 layout: groups mirror the name hierarchy ("hidden.weight" ->
// /hidden/weight), each dataset keeps its full original name in "tensor_name" and its dtype
// in "dtype" (bfloat16 and float8 are stored as their bit patterns), the root records the
// format, its version and the writer. The file appears at `path` only on commit().
class Hdf5Writer {
public:
    Hdf5Writer(std::string path, Hdf5WriteOptions options = {});
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

    AtomicOutput output_;
    Hdf5WriteOptions options_;
    hdf5::Handle file_;
    // One block buffer for every tensor, left uninitialised: each block is read into it whole.
    std::unique_ptr<std::byte[]> block_;
    std::size_t blockSize_ = 0;
};

} // namespace ckpt
