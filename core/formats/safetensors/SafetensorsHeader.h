#pragma once

#include "io/ByteSource.h"
#include "tensor/Checkpoint.h"

#include <memory>
#include <string>

namespace ckpt {

// Largest header the reference implementation accepts.
inline constexpr std::uint64_t kSafetensorsMaxHeader = 100'000'000;

// Parses and validates one safetensors file as the reference implementation does (header size
// cap, JSON object, known dtypes, shapes matching byte sizes, offsets inside the data, sorted,
// no gaps or overlaps, covering the whole buffer) and appends its tensors to `out` (data read
// lazily from `file`) and its __metadata__ to out.metadata ("__metadata__/key").
// Throws FormatError with the reason.
void appendSafetensors(std::shared_ptr<const ByteSource> file, Checkpoint& out, const std::string& location = {});

} // namespace ckpt
