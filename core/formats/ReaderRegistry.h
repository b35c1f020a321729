#pragma once

#include "formats/FormatReader.h"

#include <memory>
#include <vector>

namespace ckpt {

// All readers, in the order they are tried.
const std::vector<std::unique_ptr<FormatReader>>& allReaders();

// Opens any supported file, choosing the reader by content. When no reader recognises the
// file, the error names the file and shows its first and last bytes; when several match
// and all fail, their reasons are joined.
Checkpoint openCheckpoint(const std::string& path);

} // namespace ckpt
