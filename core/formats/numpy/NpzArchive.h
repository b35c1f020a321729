#pragma once

#include "io/ByteSource.h"

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

struct zip;

namespace ckpt {

// A zip archive opened read-only with libzip. Stored members are served in place (a window of
// the file); deflated members are inflated on demand, never beyond their declared size.
class NpzArchive : public std::enable_shared_from_this<NpzArchive> {
public:
    struct Member {
        std::string name;
        std::uint64_t index = 0; // libzip index
        bool deflated = false;
        std::uint64_t size = 0; // uncompressed
        std::uint64_t compressedSize = 0;
        std::uint64_t localHeaderOffset = 0;
    };

    // Throws FormatError when libzip or our directory scan rejects the archive.
    static std::shared_ptr<NpzArchive> open(const std::string& path, std::shared_ptr<const ByteSource> file);
    ~NpzArchive();
    NpzArchive(const NpzArchive&) = delete;
    NpzArchive& operator=(const NpzArchive&) = delete;

    const std::vector<Member>& members() const { return members_; }
    // The member's uncompressed bytes, read lazily.
    std::shared_ptr<const ByteSource> memberBytes(const Member& member) const;
    // The first min(n, member.size) uncompressed bytes of a deflated member.
    std::vector<std::byte> inflate(const Member& member, std::uint64_t n) const;

    // Largest member we inflate into memory.
    static constexpr std::uint64_t kMaxInflatedBytes = std::uint64_t(4) << 30;

private:
    NpzArchive() = default;

    zip* zip_ = nullptr;
    std::shared_ptr<const ByteSource> file_;
    std::vector<Member> members_;
    mutable std::mutex mutex_; // libzip handles are not thread-safe
};

} // namespace ckpt
