#include "codec/ZipMemberSource.h"

#include "base/CheckpointError.h"

#include <cstring>

namespace ckpt {

ZipMemberSource::ZipMemberSource(std::shared_ptr<const ZipArchive> archive, ZipArchive::Member member)
    : archive_(std::move(archive))
    , member_(std::move(member))
{
}

void ZipMemberSource::read(std::uint64_t offset, std::size_t n, std::byte* dst) const
{
    if (offset > member_.size || n > member_.size - offset)
        throw FormatError("unexpected end of zip member '" + member_.name + "': needed " + std::to_string(n)
            + " bytes at offset " + std::to_string(offset) + " of " + std::to_string(member_.size));
    if (n == 0)
        return;
    if (!haveAll_.load(std::memory_order_acquire) && offset + n <= kPrefixBytes) {
        inflatePrefix();
        std::memcpy(dst, prefix_.data() + offset, n); // offset + n <= member size, so inside the prefix
        return;
    }
    inflateAll();
    std::memcpy(dst, all_.data() + offset, n);
}

const std::byte* ZipMemberSource::data() const
{
    inflateAll();
    return all_.data();
}

void ZipMemberSource::inflatePrefix() const
{
    std::call_once(prefixInflated_, [this] { prefix_ = archive_->inflate(member_, kPrefixBytes); });
}

void ZipMemberSource::inflateAll() const
{
    std::call_once(allInflated_, [this] {
        if (member_.size > ZipArchive::kMaxInflatedBytes)
            throw FormatError("zip member '" + member_.name + "' declares " + std::to_string(member_.size)
                + " uncompressed bytes, more than the " + std::to_string(ZipArchive::kMaxInflatedBytes)
                + " bytes we inflate into memory");
        all_ = archive_->inflate(member_, member_.size);
        haveAll_.store(true, std::memory_order_release);
    });
}

} // namespace ckpt
