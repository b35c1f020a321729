#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ckpt {

// What readers look at to decide whether a file is theirs: its first and last bytes.
struct FileProbe {
    std::string path;
    std::uint64_t size = 0;
    std::vector<std::uint8_t> head; // up to the first 4096 bytes
    std::vector<std::uint8_t> tail; // up to the last 64 bytes

    static FileProbe read(const std::string& path); // throws CheckpointError when unreadable

    bool startsWith(std::string_view magic, std::size_t offset = 0) const;
    std::string headHex(std::size_t n = 16) const;
    std::string tailHex(std::size_t n = 16) const;
};

} // namespace ckpt
