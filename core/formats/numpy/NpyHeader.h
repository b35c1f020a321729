#pragma once

#include "io/ByteSource.h"
#include "tensor/DType.h"
#include "tensor/Shape.h"

#include <cstdint>
#include <string>

namespace ckpt {

// The header of an .npy file (format versions 1.0, 2.0 and 3.0): the dict literal
// {'descr': ..., 'fortran_order': ..., 'shape': (...)} parsed by our own code.
struct NpyHeader {
    int majorVersion = 1;
    int minorVersion = 0;
    std::string descr;            // as written: "<f4", "|b1", "|O"
    bool isObject = false;        // descr "|O": the data is a pickle of the whole array
    DType dtype = DType::Float32; // meaningful when !isObject
    ByteOrder byteOrder = ByteOrder::Little;
    bool fortranOrder = false;
    Shape shape;
    std::uint64_t dataOffset = 0; // where the array data starts, from the start of the .npy
};

inline constexpr std::string_view kNpyMagic{"\x93NUMPY", 6};

// Reads and validates the header at the start of `bytes`. Throws FormatError with the reason
// (bad magic, unknown version, malformed dict, unsupported descr).
NpyHeader readNpyHeader(const ByteSource& bytes);

// Parses just the dict literal (exposed for tests).
NpyHeader parseNpyHeaderDict(std::string_view text);

} // namespace ckpt
