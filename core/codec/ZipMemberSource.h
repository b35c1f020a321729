#pragma once

#include "codec/ZipArchive.h"

#include <atomic>
#include <mutex>

namespace ckpt {

// A deflated zip member as a ByteSource. Its first bytes (where a header such as an .npy's
// sits) are inflated on the first read inside them; the whole member only on the first read
// past them, and only when it declares at most ZipArchive::kMaxInflatedBytes.
class ZipMemberSource final : public ByteSource {
public:
    ZipMemberSource(std::shared_ptr<const ZipArchive> archive, ZipArchive::Member member);
    std::uint64_t size() const override { return member_.size; }
    void read(std::uint64_t offset, std::size_t n, std::byte* dst) const override;
    // Inflates the whole member (once) and points at it.
    const std::byte* data() const override;

    static constexpr std::uint64_t kPrefixBytes = 64 * 1024;

private:
    void inflatePrefix() const;
    void inflateAll() const;

    std::shared_ptr<const ZipArchive> archive_;
    ZipArchive::Member member_;
    mutable std::once_flag prefixInflated_;
    mutable std::vector<std::byte> prefix_;
    mutable std::once_flag allInflated_;
    mutable std::atomic<bool> haveAll_ { false };
    mutable std::vector<std::byte> all_;
};

} // namespace ckpt
