#pragma once

#include "formats/numpy/NpyHeader.h"
#include "io/ByteSource.h"
#include "tensor/TensorDataSource.h"

#include <nlohmann/json.hpp>

#include <memory>

namespace ckpt {

// One numeric field of a structured .npy array as a tensor of shape (array shape + the field's
// subarray shape): the field's bytes are read out of each record, lazily, from the file.
std::shared_ptr<TensorDataSource> makeRecordFieldSource(
    const std::shared_ptr<const ByteSource>& bytes, const NpyHeader& header, const NpyField& field);

// The first values of a text or bytes array (or of such a field of records, `type` at `offset`
// in each record) as JSON, for metadata: a string for a 0-d array, else an array of at most
// `limit` strings, ending in "…" when there are more.
nlohmann::ordered_json npyTextValues(const ByteSource& bytes, const NpyHeader& header, const NpyElementType& type,
    std::uint64_t offset = 0, std::size_t limit = 16);

} // namespace ckpt
