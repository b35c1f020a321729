#pragma once

#include "io/ByteSource.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace ckpt {

// The members of a zip archive as torch writes it (ZIP64, stored, 64-byte aligned), read from
// the central directory. Stored members are windows of the file (positioned reads, no copy);
// deflated members are inflated with libzip on first use, up to a size cap.
class TorchZipArchive {
public:
    struct Member {
        std::string name;
        std::uint16_t method = 0; // 0 stored, 8 deflated
        std::uint64_t compressedSize = 0;
        std::uint64_t size = 0;
        std::uint64_t localHeaderOffset = 0;
        std::uint64_t index = 0; // position in the central directory (libzip's index)
    };

    // Throws FormatError when the central directory is missing or inconsistent. `bytes` is the
    // file at `path`, or (bytesAreTheFile false) an archive inside another file, such as a
    // tensor saved into a distributed checkpoint's .distcp, whose deflated members cannot be read.
    TorchZipArchive(std::string path, std::shared_ptr<const ByteSource> bytes, bool bytesAreTheFile = true);

    const std::vector<Member>& members() const { return members_; }
    const Member* find(const std::string& name) const;
    // The member's bytes: a SubByteSource for stored members, inflated lazily otherwise.
    std::shared_ptr<const ByteSource> open(const Member& m, std::uint64_t maxInflated) const;

    static constexpr std::uint64_t kMaxInflatedBytes = std::uint64_t(4) << 30;
    // What one member may inflate to in memory: 256 MiB and twice the file (torch writes its
    // zips stored; a deflated member this large is a bomb), at most kMaxInflatedBytes.
    std::uint64_t inflateBudget() const;

private:
    void checkNoOverlap() const;
    void readCentralDirectory();

    std::string path_;
    std::shared_ptr<const ByteSource> file_;
    bool bytesAreTheFile_ = true;
    std::vector<Member> members_;
    std::unordered_map<std::string, std::size_t> byName_;
};

// Names in the central directory without opening the file as a torch archive; for matches().
std::optional<std::vector<std::string>> zipMemberNames(const std::string& path);

} // namespace ckpt
