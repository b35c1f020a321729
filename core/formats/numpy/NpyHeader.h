#pragma once

#include "io/ByteSource.h"
#include "tensor/DType.h"
#include "tensor/Shape.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ckpt {

// One element type of an .npy descr: "<f4", "|S3", "<U8", "<M8[ns]".
struct NpyElementType {
    enum class Kind { Number, Bytes, Text, Object, Other };
    Kind kind = Kind::Number;
    DType dtype = DType::Float32; // for Number
    ByteOrder byteOrder = ByteOrder::Little;
    std::uint64_t size = 0; // bytes per element (Text: 4 per character, UTF-32)
};

// One field of a structured dtype, nested fields flattened ("pos.x").
struct NpyField {
    std::string name;
    NpyElementType type;
    Shape subShape; // a subarray field ('z', '<f8', (2,)): its shape per record
    std::uint64_t offset = 0; // bytes from the start of a record
};

// The header of an .npy file (format versions 1.0, 2.0 and 3.0): the dict literal
// {'descr': ..., 'fortran_order': ..., 'shape': (...)} parsed by our own code.
struct NpyHeader {
    int majorVersion = 1;
    int minorVersion = 0;
    std::string descr; // as written: "<f4", "|b1", "|O"; "" for a structured dtype
    bool isObject = false; // descr "|O" (or a structured dtype with objects): a pickle
    NpyElementType element; // the element type when `fields` is empty
    DType dtype = DType::Float32; // element.dtype, when the elements are numbers
    ByteOrder byteOrder = ByteOrder::Little;
    std::vector<NpyField> fields; // a structured dtype (descr a list of fields)
    std::uint64_t itemSize = 0; // bytes per element or record
    bool fortranOrder = false;
    Shape shape;
    std::uint64_t dataOffset = 0; // where the array data starts, from the start of the .npy
};

inline constexpr std::string_view kNpyMagic { "\x93NUMPY", 6 };

// Reads and validates the header at the start of `bytes`. Throws FormatError with the reason
// (bad magic, unknown version, malformed dict, unsupported descr).
NpyHeader readNpyHeader(const ByteSource& bytes);

// One element type of a descr ("<f4", "|S3"). Throws FormatError for unknown ones.
NpyElementType parseNpyElementType(const std::string& descr);

// Parses just the dict literal (exposed for tests).
NpyHeader parseNpyHeaderDict(std::string_view text);

} // namespace ckpt
