#include "formats/FileProbe.h"

#include "io/ByteSource.h"

#include <algorithm>
#include <cstring>

namespace ckpt {

FileProbe FileProbe::read(const std::string& path)
{
    FileByteSource file(path);
    FileProbe p;
    p.path = path;
    p.size = file.size();
    const auto headLen = static_cast<std::size_t>(std::min<std::uint64_t>(p.size, 4096));
    p.head.resize(headLen);
    file.read(0, headLen, reinterpret_cast<std::byte*>(p.head.data()));
    const auto tailLen = static_cast<std::size_t>(std::min<std::uint64_t>(p.size, 64));
    p.tail.resize(tailLen);
    file.read(p.size - tailLen, tailLen, reinterpret_cast<std::byte*>(p.tail.data()));
    return p;
}

bool FileProbe::startsWith(std::string_view magic, std::size_t offset) const
{
    return head.size() >= offset + magic.size() && std::memcmp(head.data() + offset, magic.data(), magic.size()) == 0;
}

namespace {
std::string hex(const std::uint8_t* p, std::size_t n)
{
    static const char* digits = "0123456789abcdef";
    std::string s;
    for (std::size_t i = 0; i < n; ++i) {
        s += digits[p[i] >> 4];
        s += digits[p[i] & 15];
    }
    return s;
}
} // namespace

std::string FileProbe::headHex(std::size_t n) const
{
    return hex(head.data(), std::min(n, head.size()));
}

std::string FileProbe::tailHex(std::size_t n) const
{
    n = std::min(n, tail.size());
    return hex(tail.data() + tail.size() - n, n);
}

} // namespace ckpt
