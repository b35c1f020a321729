#pragma once

#include "pickle/PickledNumpyArray.h" // numpyDTypeFromCode
#include "pickle/Value.h"
#include "tensor/DType.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ckpt {

// What a torch persistent id says about a storage:
// zip:    ('storage', storage_class, key, location, numel)
// legacy: ('storage', storage_class, root_key, location, numel, view_metadata | None),
//         view_metadata = (view_key, offset, size) in elements of the storage dtype.
struct TorchStorageRef {
    std::string key; // the record (zip data/<key>) or legacy root key holding the bytes
    std::string location; // "cpu", "cuda:0", ...
    std::optional<DType> dtype; // nullopt for UntypedStorage (numel counts bytes)
    std::string className; // "torch.FloatStorage", for messages
    std::int64_t numel = 0; // elements of dtype (bytes when untyped) in the whole storage
    std::int64_t viewOffset = 0; // legacy storage views: first element of the view
    std::int64_t viewNumel = -1; // legacy storage views: elements of the view; -1 = whole storage

    std::int64_t elementSize() const; // 1 for untyped storages
    std::int64_t nbytes() const; // numel * elementSize, overflow-checked
};

// Parses a storage persistent id. Throws FormatError for anything else (bad tuple, unknown or
// quantized storage classes).
TorchStorageRef parseTorchStorageId(const pickle::Value& pid);

// "torch.FloatStorage" / "torch.cuda.HalfStorage" / "torch.UntypedStorage" → dtype (nullopt
// for untyped storages); throws FormatError for classes we cannot read (quantized, unknown).
std::optional<DType> torchStorageDType(const pickle::Value& storageClass);

// A torch dtype global ("torch.float8_e4m3fn", "torch.float32", "torch.half") → DType.
std::optional<DType> torchDTypeFromGlobal(std::string_view qualifiedName);

} // namespace ckpt
