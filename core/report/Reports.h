#pragma once

#include "numerics/Stats.h"
#include "tensor/Checkpoint.h"
#include "tensor/CheckpointTree.h"
#include "tensor/JsonNumber.h"

#include <nlohmann/json.hpp>

#include <string>

namespace ckpt {

// JSON as the CLI prints it: bytes that are not UTF-8 (names from a file) become U+FFFD instead of
// an exception; control characters are escaped by JSON itself; NaN and infinities as jsonNumber.
template <class Json> std::string jsonText(const Json& json, int indent = 2)
{
    Json copy = json;
    replaceNonFinite(copy);
    return copy.dump(indent, ' ', false, Json::error_handler_t::replace);
}

// The JSON documents of the `ckpt` command line (also used by the app for copy/export).

// {"format", "tensors": [{"name", "dtype", "shape", "nbytes"}], "metadata": {...}}
nlohmann::ordered_json listingJson(const Checkpoint& checkpoint);

// {"name", "dtype", "shape", "count", "min", "max", "mean", "std", "nan", "inf", "zeros",
//  "histogram": {"edges", "counts"}}
nlohmann::ordered_json statsJson(const TensorInfo& info, const TensorStats& stats);

// The first `limit` elements (all when limit < 0) in row-major order:
// {"name", "dtype", "shape", "values": [...], "truncated": bool}
nlohmann::ordered_json valuesJson(const Tensor& tensor, std::int64_t limit);

// One element as JSON: a number, true/false, or [re, im] for complex.
nlohmann::ordered_json elementJson(DType dtype, const std::byte* element);

// "1.2 MiB", "512 B"
std::string humanBytes(std::int64_t bytes);
// "1,234,567"
std::string groupedNumber(std::int64_t n);

} // namespace ckpt
