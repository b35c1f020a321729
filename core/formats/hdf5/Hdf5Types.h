#pragma once

#include "formats/hdf5/Hdf5Handle.h"
#include "tensor/DType.h"

#include <optional>
#include <string>

namespace ckpt::hdf5 {

// How a dataset's HDF5 type maps onto a tensor dtype.
struct TypeMapping {
    DType dtype;
    ByteOrder fileOrder;
    Handle memoryType; // the type to read into: same bits, host byte order
};

// Maps a file datatype to a dtype. `dtypeAttribute` is the dataset's "dtype" attribute, which
// marks bit patterns of types HDF5 has no type for (bfloat16, float8). Returns nullopt
// (with a reason) for strings, references, compound records and other non-tensor types.
std::optional<TypeMapping> mapFileType(hid_t fileType, const std::string& dtypeAttribute, std::string& reason);

// The file datatype our writer uses for a dtype (little-endian; h5py-compatible for
// float16, bool and complex).
Handle fileTypeFor(DType dtype);
// The in-memory (host order) datatype matching fileTypeFor(dtype).
Handle memoryTypeFor(DType dtype);

} // namespace ckpt::hdf5
