#pragma once

#include "formats/FormatWriter.h"

#include <memory>
#include <string>
#include <vector>

namespace ckpt {

// Every output format, like allReaders() on the read side.
const std::vector<std::unique_ptr<FormatWriter>>& allWriters();

// The writer for the output's extension (case does not matter). Throws std::invalid_argument
// listing the extensions there are.
const FormatWriter& writerFor(const std::string& path);

} // namespace ckpt
