#include "formats/torch/TorchZipArchive.h"

#include "base/CheckpointError.h"

#include <zip.h>

#include <algorithm>
#include <cstring>
#include <mutex>

namespace ckpt {

namespace {
std::uint64_t le(const std::byte* p, int n)
{
    std::uint64_t v = 0;
    for (int i = n - 1; i >= 0; --i)
        v = (v << 8) | static_cast<std::uint8_t>(p[i]);
    return v;
}

constexpr std::uint32_t kEndOfDirectory = 0x06054b50;
constexpr std::uint32_t kZip64Locator = 0x07064b50;
constexpr std::uint32_t kZip64End = 0x06064b50;
constexpr std::uint32_t kDirectoryEntry = 0x02014b50;
constexpr std::uint32_t kLocalHeader = 0x04034b50;
constexpr std::uint64_t kMaxDirectoryBytes = std::uint64_t(256) << 20;

struct ZipHandle {
    zip_t* z = nullptr;
    ~ZipHandle()
    {
        if (z)
            zip_discard(z);
    }
};

// A deflated member, inflated with libzip the first time it is read.
class InflatedMemberSource final : public ByteSource {
public:
    InflatedMemberSource(std::string path, TorchZipArchive::Member m)
        : path_(std::move(path))
        , member_(std::move(m))
    {
    }
    std::uint64_t size() const override { return member_.size; }
    void read(std::uint64_t offset, std::size_t n, std::byte* dst) const override
    {
        inflate();
        if (offset > bytes_.size() || n > bytes_.size() - offset)
            throw FormatError("read past the end of zip member " + member_.name);
        std::memcpy(dst, bytes_.data() + offset, n);
    }
    const std::byte* data() const override
    {
        inflate();
        return bytes_.data();
    }

private:
    void inflate() const
    {
        std::call_once(once_, [this] {
            int err = 0;
            ZipHandle h;
            h.z = zip_open(path_.c_str(), ZIP_RDONLY, &err);
            if (!h.z)
                throw CheckpointError(path_, "libzip cannot open the archive (error " + std::to_string(err) + ")");
            zip_file_t* f = zip_fopen_index(h.z, member_.index, 0);
            if (!f)
                throw CheckpointError(path_, "cannot inflate " + member_.name + ": " + zip_strerror(h.z));
            std::vector<std::byte> out(member_.size);
            const zip_int64_t got = zip_fread(f, out.data(), out.size());
            std::byte extra;
            const zip_int64_t more = zip_fread(f, &extra, 1);
            const int closeErr = zip_fclose(f);
            if (got != static_cast<zip_int64_t>(out.size()) || more != 0 || closeErr != 0)
                throw CheckpointError(path_, "zip member " + member_.name + " is corrupt (bad deflate data or CRC)");
            bytes_ = std::move(out);
        });
    }

    std::string path_;
    TorchZipArchive::Member member_;
    mutable std::once_flag once_;
    mutable std::vector<std::byte> bytes_;
};
} // namespace

TorchZipArchive::TorchZipArchive(std::string path, std::shared_ptr<const ByteSource> bytes, bool bytesAreTheFile)
    : path_(std::move(path))
    , file_(std::move(bytes))
    , bytesAreTheFile_(bytesAreTheFile)
{
    readCentralDirectory();
}

void TorchZipArchive::readCentralDirectory()
{
    const std::uint64_t size = file_->size();
    if (size < 22)
        throw FormatError("too small for a zip archive");
    const std::uint64_t window = std::min<std::uint64_t>(size, 22 + 65535);
    const auto tail = file_->readVector(size - window, window);
    std::int64_t eocd = -1;
    for (std::int64_t i = static_cast<std::int64_t>(window) - 22; i >= 0; --i) {
        if (le(tail.data() + i, 4) == kEndOfDirectory) {
            eocd = i;
            break;
        }
    }
    if (eocd < 0)
        throw FormatError("zip end of central directory not found (truncated archive?)");
    const std::byte* e = tail.data() + eocd;
    std::uint64_t entries = le(e + 10, 2);
    std::uint64_t dirSize = le(e + 12, 4);
    std::uint64_t dirOffset = le(e + 16, 4);
    const std::uint64_t eocdPos = size - window + static_cast<std::uint64_t>(eocd);
    if (eocdPos >= 20) {
        const auto loc = file_->readVector(eocdPos - 20, 20);
        if (le(loc.data(), 4) == kZip64Locator) {
            const std::uint64_t z64 = le(loc.data() + 8, 8);
            const auto rec = file_->readVector(z64, 56);
            if (le(rec.data(), 4) != kZip64End)
                throw FormatError("bad ZIP64 end of central directory record");
            entries = le(rec.data() + 32, 8);
            dirSize = le(rec.data() + 40, 8);
            dirOffset = le(rec.data() + 48, 8);
        }
    }
    if (dirOffset > size || dirSize > size - dirOffset)
        throw FormatError("zip central directory lies outside the file (truncated archive?)");
    if (dirSize > kMaxDirectoryBytes)
        throw FormatError("zip central directory of " + std::to_string(dirSize) + " bytes is implausibly large");
    if (entries > dirSize / 46)
        throw FormatError("zip central directory claims " + std::to_string(entries) + " entries");
    const auto dir = file_->readVector(dirOffset, dirSize);
    std::uint64_t p = 0;
    for (std::uint64_t i = 0; i < entries; ++i) {
        if (dirSize - p < 46 || le(dir.data() + p, 4) != kDirectoryEntry)
            throw FormatError("corrupt zip central directory entry " + std::to_string(i));
        const std::byte* c = dir.data() + p;
        Member m;
        m.index = i;
        m.method = static_cast<std::uint16_t>(le(c + 10, 2));
        m.compressedSize = le(c + 20, 4);
        m.size = le(c + 24, 4);
        m.localHeaderOffset = le(c + 42, 4);
        const std::uint64_t nameLen = le(c + 28, 2), extraLen = le(c + 30, 2), commentLen = le(c + 32, 2);
        if (dirSize - p < 46 + nameLen + extraLen + commentLen)
            throw FormatError("corrupt zip central directory entry " + std::to_string(i));
        m.name.assign(reinterpret_cast<const char*>(c + 46), nameLen);
        // ZIP64 extra field: the 64-bit values of the fields that are 0xFFFFFFFF, in order.
        const std::byte* x = c + 46 + nameLen;
        for (std::uint64_t q = 0; q + 4 <= extraLen;) {
            const auto id = le(x + q, 2), len = le(x + q + 2, 2);
            if (q + 4 + len > extraLen)
                break;
            if (id == 1) {
                std::uint64_t k = q + 4;
                for (std::uint64_t* field : { &m.size, &m.compressedSize, &m.localHeaderOffset }) {
                    if (*field == 0xFFFFFFFFu && k + 8 <= q + 4 + len) {
                        *field = le(x + k, 8);
                        k += 8;
                    }
                }
            }
            q += 4 + len;
        }
        byName_.emplace(m.name, members_.size()); // the first of duplicate names wins
        members_.push_back(std::move(m));
        p += 46 + nameLen + extraLen + commentLen;
    }
    checkNoOverlap();
}

// Deflated members whose bytes overlap (directory entries that share one deflate stream) are
// how a small zip inflates to many times its size; a zip any tool wrote has none. libzip's
// consistency check refuses them for .npz the same way. (Stored members that overlap only read
// the same bytes twice; their sizes are checked against the file when opened.)
void TorchZipArchive::checkNoOverlap() const
{
    std::vector<const Member*> byOffset;
    for (const auto& m : members_)
        byOffset.push_back(&m);
    if (std::none_of(members_.begin(), members_.end(), [](const Member& m) { return m.method != 0; }))
        return;
    std::sort(byOffset.begin(), byOffset.end(),
        [](const Member* a, const Member* b) { return a->localHeaderOffset < b->localHeaderOffset; });
    for (std::size_t i = 1; i < byOffset.size(); ++i) {
        const Member& a = *byOffset[i - 1];
        const Member& b = *byOffset[i];
        if (a.compressedSize > file_->size())
            continue; // larger than the file: open() refuses it with that reason
        // At least the local header and the compressed bytes follow a member's offset.
        if ((a.method != 0 || b.method != 0) && b.localHeaderOffset < a.localHeaderOffset + 30 + a.compressedSize)
            throw FormatError("zip members " + a.name + " and " + b.name + " overlap (a zip bomb?)");
    }
}

const TorchZipArchive::Member* TorchZipArchive::find(const std::string& name) const
{
    auto it = byName_.find(name);
    return it == byName_.end() ? nullptr : &members_[it->second];
}

std::uint64_t TorchZipArchive::inflateBudget() const
{
    return std::min(kMaxInflatedBytes, (std::uint64_t(256) << 20) + 2 * file_->size());
}

std::shared_ptr<const ByteSource> TorchZipArchive::open(const Member& m, std::uint64_t maxInflated) const
{
    if (m.method == 8) {
        // The compressed bytes must be in the file, and deflate cannot expand them more than
        // about 1032:1: together these bound what inflating may allocate by the file's size.
        if (m.compressedSize > file_->size())
            throw FormatError("zip member " + m.name + " claims " + std::to_string(m.compressedSize)
                + " compressed bytes, more than the whole file (" + std::to_string(file_->size()) + ")");
        if (m.size > maxInflated || m.size / 1100 > m.compressedSize + 4)
            throw FormatError("zip member " + m.name + " claims " + std::to_string(m.size)
                + " bytes uncompressed, more than allowed (" + std::to_string(maxInflated >> 20) + " MiB)");
        if (!bytesAreTheFile_)
            throw FormatError("zip member " + m.name + " is deflated inside another file (torch stores its members)");
        return std::make_shared<InflatedMemberSource>(path_, m);
    }
    if (m.method != 0)
        throw FormatError("zip member " + m.name + " uses unsupported compression method " + std::to_string(m.method));
    const auto local = file_->readVector(m.localHeaderOffset, 30);
    if (le(local.data(), 4) != kLocalHeader)
        throw FormatError(
            "zip member " + m.name + " has no local header at offset " + std::to_string(m.localHeaderOffset));
    const std::uint64_t dataOffset = m.localHeaderOffset + 30 + le(local.data() + 26, 2) + le(local.data() + 28, 2);
    if (m.compressedSize != m.size)
        throw FormatError("stored zip member " + m.name + " has inconsistent sizes");
    if (dataOffset > file_->size() || m.size > file_->size() - dataOffset)
        throw FormatError("zip member " + m.name + " (" + std::to_string(m.size)
            + " bytes) runs past the end of the file (truncated archive?)");
    return std::make_shared<SubByteSource>(file_, dataOffset, m.size);
}

std::optional<std::vector<std::string>> zipMemberNames(const std::string& path)
{
    int err = 0;
    ZipHandle h;
    h.z = zip_open(path.c_str(), ZIP_RDONLY, &err);
    if (!h.z)
        return std::nullopt;
    const zip_int64_t n = zip_get_num_entries(h.z, 0);
    std::vector<std::string> names;
    for (zip_int64_t i = 0; i < n && i < 1'000'000; ++i) {
        if (const char* name = zip_get_name(h.z, static_cast<zip_uint64_t>(i), ZIP_FL_ENC_RAW))
            names.emplace_back(name);
    }
    return names;
}

} // namespace ckpt
