#pragma once

#include "formats/FormatReader.h"

#include <memory>
#include <vector>

namespace ckpt {

// All readers, in the order they are tried.
const std::vector<std::unique_ptr<FormatReader>>& allReaders();

// Opens any supported file, choosing the reader by content. When no reader recognises the
// file, the error names the file and shows its first and last bytes; when several match
// and all fail, their reasons are joined. A folder opens the checkpoint it holds
// (checkpointInFolder), saying which in the metadata "opened_from_folder".
Checkpoint openCheckpoint(const std::string& path);

} // namespace ckpt
