#pragma once

#include <cstddef>
#include <cstdint>

namespace ckpt {

// The files mapped by FileByteSource, so that bytes known only by their place in a mapping can be
// read another way (with O_DIRECT, past the page cache, by MappedReadAhead).
void registerMapping(const std::byte* base, std::uint64_t size, int fd);
void unregisterMapping(const std::byte* base);

// A file opened again for direct reads (O_DIRECT), and where a mapped byte is in it.
struct DirectFile {
    int fd = -1; // owned by the caller (close it); -1: none
    std::uint64_t offset = 0;
    const std::byte* mapping = nullptr; // the mapping that holds p and its size (nullptr: none)
    std::uint64_t mappingSize = 0;
};

// The file whose registered mapping holds p, opened again read-only with O_DIRECT (the same file
// through /proc/self/fd, not its path, which may name another file by now); fd -1 when p is in no
// registered mapping or the file cannot be read that way (a filesystem without O_DIRECT, no /proc:
// the mapping is then still named, so that callers need not ask again for its other bytes).
DirectFile openDirect(const std::byte* p);

} // namespace ckpt
