#pragma once

#include "io/ByteSource.h"

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

struct zip;

namespace ckpt {

struct ZipOpenOptions {
    // The bytes are an archive inside another file (a tensor torch.save'd into a distributed
    // checkpoint's .distcp): libzip cannot open them, so deflated members are refused.
    bool insideAnotherFile = false;
    // Open libzip at once with its consistency check (ZIP_CHECKCONS): an archive it refuses is
    // "not a readable zip archive: …". Otherwise libzip is opened on the first deflated read.
    bool checkConsistency = false;
};

// A zip archive read from its central directory (ZIP64 aware). Stored members are windows of
// the file (positioned reads, no copy); deflated members are inflated with libzip on demand,
// never beyond their declared size. Everything the directory claims is checked before it is
// believed: the directory's position and size, entry counts, sizes against the file, what
// deflate can produce from the compressed bytes, and deflated members sharing bytes.
class ZipArchive : public std::enable_shared_from_this<ZipArchive> {
public:
    static constexpr std::uint16_t kStored = 0;
    static constexpr std::uint16_t kDeflated = 8;

    struct Member {
        std::string name; // raw bytes of the name
        std::uint64_t index = 0; // position in the central directory (libzip's index)
        std::uint16_t method = 0;
        bool encrypted = false; // general-purpose bit 0
        std::uint64_t size = 0; // uncompressed
        std::uint64_t compressedSize = 0;
        std::uint64_t localHeaderOffset = 0;
        bool deflated() const { return method == kDeflated; }
    };

    // Throws FormatError when the central directory is missing or inconsistent, a deflated
    // member declares more than deflate can produce, or deflated members overlap. `file` is the
    // file at `path`, or (options.insideAnotherFile) an archive inside another file.
    static std::shared_ptr<ZipArchive> open(
        std::string path, std::shared_ptr<const ByteSource> file, ZipOpenOptions options = {});
    ~ZipArchive();
    ZipArchive(const ZipArchive&) = delete;
    ZipArchive& operator=(const ZipArchive&) = delete;

    const std::vector<Member>& members() const { return members_; }
    // The first member of that name, or null.
    const Member* find(std::string_view name) const;

    // The member's uncompressed bytes: a SubByteSource for stored members, a ZipMemberSource
    // (inflated lazily) for deflated ones. With maxInflated, a deflated member declaring more is
    // refused here; without, only when read past its first bytes (at kMaxInflatedBytes).
    // Encrypted members and methods other than stored and deflate are refused.
    std::shared_ptr<const ByteSource> memberBytes(
        const Member& member, std::optional<std::uint64_t> maxInflated = std::nullopt) const;
    // The first min(n, member.size) uncompressed bytes of a deflated member.
    std::vector<std::byte> inflate(const Member& member, std::uint64_t n) const;

    // Largest member we inflate into memory.
    static constexpr std::uint64_t kMaxInflatedBytes = std::uint64_t(4) << 30;
    // What one member may inflate to in memory: 256 MiB and twice the file (a deflated member
    // this large is a bomb in a checkpoint), at most kMaxInflatedBytes.
    std::uint64_t inflateBudget() const;

private:
    ZipArchive() = default;
    void readCentralDirectory();
    void checkDeflateRatios() const;
    void checkNoOverlap() const;
    void checkLibzipAgrees(zip* z) const;

    std::string path_;
    std::shared_ptr<const ByteSource> file_;
    ZipOpenOptions options_;
    std::vector<Member> members_;
    std::unordered_map<std::string, std::size_t> byName_;
    mutable std::mutex mutex_; // guards zip_: libzip handles are not thread-safe
    mutable zip* zip_ = nullptr; // opened at open (checkConsistency) or on the first inflate
};

// Names in the central directory as libzip reads them, without checking the members; for a
// reader's matches(). nullopt when libzip cannot open the file.
std::optional<std::vector<std::string>> zipMemberNames(const std::string& path);

} // namespace ckpt
