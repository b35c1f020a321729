#include "formats/numpy/InflatedMemberSource.h"

#include "base/CheckpointError.h"

#include <cstring>

namespace ckpt {

namespace {
constexpr std::uint64_t kPrefixBytes = 64 * 1024;
}

InflatedMemberSource::InflatedMemberSource(std::shared_ptr<const NpzArchive> archive, NpzArchive::Member member)
    : archive_(std::move(archive))
    , member_(std::move(member))
{
    prefix_ = archive_->inflate(member_, kPrefixBytes);
}

void InflatedMemberSource::read(std::uint64_t offset, std::size_t n, std::byte* dst) const
{
    if (offset > member_.size || n > member_.size - offset)
        throw FormatError("unexpected end of zip member '" + member_.name + "': needed " + std::to_string(n)
            + " bytes at offset " + std::to_string(offset) + " of " + std::to_string(member_.size));
    if (offset + n <= prefix_.size()) {
        if (n)
            std::memcpy(dst, prefix_.data() + offset, n);
        return;
    }
    inflateAll();
    if (n)
        std::memcpy(dst, all_.data() + offset, n);
}

const std::byte* InflatedMemberSource::data() const
{
    inflateAll();
    return all_.data();
}

void InflatedMemberSource::inflateAll() const
{
    std::call_once(inflated_, [this] {
        if (member_.size > NpzArchive::kMaxInflatedBytes)
            throw FormatError("zip member '" + member_.name + "' declares " + std::to_string(member_.size)
                + " uncompressed bytes, more than the " + std::to_string(NpzArchive::kMaxInflatedBytes)
                + " bytes we inflate into memory");
        all_ = archive_->inflate(member_, member_.size);
    });
}

} // namespace ckpt
