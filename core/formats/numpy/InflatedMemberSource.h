#pragma once

#include "formats/numpy/NpzArchive.h"

#include <mutex>

namespace ckpt {

// A deflated zip member as a ByteSource. Its first bytes (where an .npy header sits) are
// inflated when the source is made; the whole member only on the first read past them.
class InflatedMemberSource final : public ByteSource {
public:
    InflatedMemberSource(std::shared_ptr<const NpzArchive> archive, NpzArchive::Member member);
    std::uint64_t size() const override { return member_.size; }
    void read(std::uint64_t offset, std::size_t n, std::byte* dst) const override;
    // Inflates the whole member (once) and points at it.
    const std::byte* data() const override;

private:
    void inflateAll() const;

    std::shared_ptr<const NpzArchive> archive_;
    NpzArchive::Member member_;
    std::vector<std::byte> prefix_;
    mutable std::once_flag inflated_;
    mutable std::vector<std::byte> all_;
};

} // namespace ckpt
