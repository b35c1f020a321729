#include "io/MappedFiles.h"

#include <fcntl.h>

#include <map>
#include <mutex>
#include <string>

namespace ckpt {
namespace {

struct Mapping {
    std::uint64_t size = 0;
    int fd = -1;
};

std::mutex& registryMutex()
{
    static std::mutex m;
    return m;
}

std::map<const std::byte*, Mapping>& registry()
{
    static std::map<const std::byte*, Mapping> r;
    return r;
}

} // namespace

void registerMapping(const std::byte* base, std::uint64_t size, int fd)
{
    std::lock_guard lock(registryMutex());
    registry()[base] = { size, fd };
}

void unregisterMapping(const std::byte* base)
{
    std::lock_guard lock(registryMutex());
    registry().erase(base);
}

DirectFile openDirect(const std::byte* p)
{
    // Under the lock, so that the source cannot close its descriptor while it is opened again.
    std::lock_guard lock(registryMutex());
    const auto& r = registry();
    auto it = r.upper_bound(p);
    if (it == r.begin())
        return {};
    --it;
    const auto offset = static_cast<std::uint64_t>(p - it->first);
    if (offset >= it->second.size)
        return {};
    const std::string self = "/proc/self/fd/" + std::to_string(it->second.fd);
    const int fd = ::open(self.c_str(), O_RDONLY | O_DIRECT | O_CLOEXEC | O_NOCTTY);
    return { fd < 0 ? -1 : fd, offset, it->first, it->second.size };
}

} // namespace ckpt
