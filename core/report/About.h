#pragma once

#include <string>
#include <utility>
#include <vector>

namespace ckpt {

// The version of ckptview and ckpt (the project's CMake version), e.g. "0.1.0".
std::string versionString();

// The libraries that read and write the formats, with the versions linked at run time where the
// library reports one (else the one compiled against): {"HDF5", "1.10.8"}, ….
std::vector<std::pair<std::string, std::string>> libraryVersions();

// "NAME VERSION" and one line per library: what `--version` prints and the About box shows.
std::string versionText(const std::string& program);

} // namespace ckpt
