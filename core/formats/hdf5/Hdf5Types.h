#pragma once

#include "formats/hdf5/Hdf5Handle.h"
#include "tensor/DType.h"
#include "tensor/Shape.h"

#include <optional>
#include <string>

namespace ckpt::hdf5 {

// How a dataset's HDF5 type maps onto a tensor dtype.
struct TypeMapping {
    DType dtype;
    ByteOrder fileOrder;
    Handle memoryType; // the type to read into: the dtype's own bits in host byte order
    // Set when libhdf5 converts the stored type into the dtype ("80-bit long double, read as
    // float64") or the integers stand for names (an enumeration's members): shown as metadata.
    std::string note = {};
    // An array type's dims: the tensor's trailing axes, each element of the dataset holding them all.
    Shape elementShape = {};
    // Set when the values must not be read (an array whose declared dims a hostile file made
    // larger than its bytes): the tensor is listed and refused with this reason.
    std::string unreadable = {};
};

// Maps a file datatype to a dtype. `dtypeAttribute` is the dataset's "dtype" attribute, which
// marks bit patterns of types HDF5 has no type for (bfloat16, float8). Returns nullopt
// (with a reason) for strings, references, compound records and other non-tensor types.
// Stored bits are taken as they are only when the file type is bit for bit a standard IEEE float
// or two's-complement integer (or bfloat16's exact layout); every other number type (custom float
// layouts, VAX order, long double, integers narrower than their size) is converted by libhdf5 into
// the nearest native type, never reinterpreted.
std::optional<TypeMapping> mapFileType(hid_t fileType, const std::string& dtypeAttribute, std::string& reason);

// The most bytes one element of an array type may hold: reading part of an element, or a fill
// value, allocates a whole one.
inline constexpr std::int64_t kMaxArrayBytes = std::int64_t(64) << 20;

// Maps an array of numbers (an h5py record member {v: float32[2][3]}) to its base type's dtype,
// with its dims as elementShape, read into an array of the base's memory type. Returns nullopt
// (with a reason) for arrays of records, arrays or strings. Dims that do not match the array's
// size, or an array of more than kMaxArrayBytes, give a mapping with `unreadable` set and no
// elementShape; an array with a 0 dim one with no memory type (its tensor is empty).
std::optional<TypeMapping> mapArrayType(hid_t arrayType, std::string& reason);

// Whether elements of the type hold variable-length parts (strings, sequences), whose size on disk
// is not H5Tget_size.
bool hasVariableLength(hid_t type);

// The name of member `index` of a compound or enumeration type ("" when it has none).
std::string memberName(hid_t type, unsigned index);

// The file datatype our writer uses for a dtype (little-endian; h5py-compatible for
// float16, bool and complex).
Handle fileTypeFor(DType dtype);
// The in-memory (host order) datatype matching fileTypeFor(dtype).
Handle memoryTypeFor(DType dtype);

} // namespace ckpt::hdf5
