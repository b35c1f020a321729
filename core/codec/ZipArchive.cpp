#include "codec/ZipArchive.h"

#include "base/CheckpointError.h"
#include "codec/ZipMemberSource.h"

#include <zip.h>

#include <algorithm>

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
// Deflate cannot expand better than about 1032:1; a member declaring more is lying (a zip bomb).
constexpr std::uint64_t kMaxDeflateRatio = 1032;

std::string zipErrorText(int code)
{
    zip_error_t error;
    zip_error_init_with_code(&error, code);
    std::string text = zip_error_strerror(&error);
    zip_error_fini(&error);
    return text;
}

using ZipHandle = std::unique_ptr<zip_t, decltype(&zip_discard)>;

ZipHandle openLibzip(const std::string& path, bool checkConsistency)
{
    int code = 0;
    ZipHandle z(zip_open(path.c_str(), ZIP_RDONLY | (checkConsistency ? ZIP_CHECKCONS : 0), &code), &zip_discard);
    if (!z)
        throw FormatError("not a readable zip archive: " + zipErrorText(code));
    return z;
}
} // namespace

std::shared_ptr<ZipArchive> ZipArchive::open(
    std::string path, std::shared_ptr<const ByteSource> file, ZipOpenOptions options)
{
    std::shared_ptr<ZipArchive> archive(new ZipArchive());
    archive->path_ = std::move(path);
    archive->file_ = std::move(file);
    archive->options_ = options;
    ZipHandle z(nullptr, &zip_discard);
    if (options.checkConsistency && !options.insideAnotherFile)
        z = openLibzip(archive->path_, true); // libzip's verdict comes first, as it did for .npz and .keras
    archive->readCentralDirectory();
    if (z) {
        archive->checkLibzipAgrees(z.get());
        archive->zip_ = z.release();
    }
    archive->checkDeflateRatios();
    archive->checkNoOverlap();
    // Every stored member's data is found through its local header: from a cold page cache,
    // reading them all at once costs one wait for the disk instead of one per member.
    for (const Member& m : archive->members_)
        if (m.method == kStored)
            archive->file_->willNeed(m.localHeaderOffset, 30);
    return archive;
}

ZipArchive::~ZipArchive()
{
    if (zip_)
        zip_discard(zip_);
}

// libzip reads its own copy of the central directory; it must see the members we do.
void ZipArchive::checkLibzipAgrees(zip_t* z) const
{
    const zip_int64_t count = zip_get_num_entries(z, 0);
    if (count < 0 || static_cast<std::uint64_t>(count) != members_.size())
        throw FormatError("zip central directory has " + std::to_string(members_.size()) + " entries but libzip sees "
            + std::to_string(count));
    for (const Member& m : members_) {
        const char* name = zip_get_name(z, m.index, ZIP_FL_ENC_RAW);
        if (!name || m.name != name)
            throw FormatError(
                "zip entry " + std::to_string(m.index) + " is named differently in the central directory");
    }
}

void ZipArchive::readCentralDirectory()
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
        m.encrypted = (le(c + 8, 2) & 1) != 0;
        m.method = static_cast<std::uint16_t>(le(c + 10, 2));
        m.compressedSize = le(c + 20, 4);
        m.size = le(c + 24, 4);
        m.localHeaderOffset = le(c + 42, 4);
        const std::uint64_t nameLen = le(c + 28, 2), extraLen = le(c + 30, 2), commentLen = le(c + 32, 2);
        if (dirSize - p < 46 + nameLen + extraLen + commentLen)
            throw FormatError("corrupt zip central directory entry " + std::to_string(i));
        m.name.assign(reinterpret_cast<const char*>(c + 46), nameLen);
        // ZIP64 extra field: the 64-bit values of the fields that are 0xFFFFFFFF, in order.
        bool offsetFound = m.localHeaderOffset != 0xFFFFFFFFu;
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
                        offsetFound = offsetFound || field == &m.localHeaderOffset;
                    }
                }
            }
            q += 4 + len;
        }
        if (!offsetFound)
            throw FormatError("zip member '" + m.name + "' lacks its ZIP64 offset");
        byName_.emplace(m.name, members_.size()); // the first of duplicate names wins
        members_.push_back(std::move(m));
        p += 46 + nameLen + extraLen + commentLen;
    }
}

void ZipArchive::checkDeflateRatios() const
{
    for (const Member& m : members_)
        if (m.method == kDeflated && m.size / kMaxDeflateRatio > m.compressedSize + 1)
            throw FormatError("zip member '" + m.name + "' declares " + std::to_string(m.size) + " bytes from "
                + std::to_string(m.compressedSize) + " compressed bytes, more than deflate can produce (a zip bomb?)");
}

// Deflated members whose bytes overlap (directory entries that share one deflate stream) are
// how a small zip inflates to many times its size; a zip any tool wrote has none. (Stored
// members that overlap only read the same bytes twice; their sizes are checked against the
// file when opened.)
void ZipArchive::checkNoOverlap() const
{
    if (std::none_of(members_.begin(), members_.end(), [](const Member& m) { return m.method != kStored; }))
        return;
    std::vector<const Member*> byOffset;
    for (const auto& m : members_)
        byOffset.push_back(&m);
    std::sort(byOffset.begin(), byOffset.end(),
        [](const Member* a, const Member* b) { return a->localHeaderOffset < b->localHeaderOffset; });
    const std::uint64_t fileSize = file_->size();
    for (std::size_t i = 1; i < byOffset.size(); ++i) {
        const Member& a = *byOffset[i - 1];
        const Member& b = *byOffset[i];
        if (a.compressedSize > fileSize || a.localHeaderOffset > fileSize)
            continue; // beyond the file: memberBytes() refuses it with that reason
        // At least the local header and the compressed bytes follow a member's offset.
        if ((a.method != kStored || b.method != kStored)
            && b.localHeaderOffset < a.localHeaderOffset + 30 + a.compressedSize)
            throw FormatError("zip members " + a.name + " and " + b.name + " overlap (a zip bomb?)");
    }
}

const ZipArchive::Member* ZipArchive::find(std::string_view name) const
{
    auto it = byName_.find(std::string(name));
    return it == byName_.end() ? nullptr : &members_[it->second];
}

std::uint64_t ZipArchive::inflateBudget() const
{
    return std::min(kMaxInflatedBytes, (std::uint64_t(256) << 20) + 2 * file_->size());
}

std::shared_ptr<const ByteSource> ZipArchive::memberBytes(
    const Member& m, std::optional<std::uint64_t> maxInflated) const
{
    if (m.encrypted)
        throw FormatError("zip member '" + m.name + "' is encrypted");
    if (m.method == kDeflated) {
        // The compressed bytes must be in the file, and deflate cannot expand them more than
        // about 1032:1 (checked at open): together these bound what inflating may allocate.
        if (m.compressedSize > file_->size())
            throw FormatError("zip member " + m.name + " claims " + std::to_string(m.compressedSize)
                + " compressed bytes, more than the whole file (" + std::to_string(file_->size()) + ")");
        if (maxInflated && m.size > *maxInflated)
            throw FormatError("zip member " + m.name + " claims " + std::to_string(m.size)
                + " bytes uncompressed, more than allowed (" + std::to_string(*maxInflated >> 20) + " MiB)");
        if (options_.insideAnotherFile)
            throw FormatError("zip member " + m.name + " is deflated inside another file (torch stores its members)");
        return std::make_shared<ZipMemberSource>(shared_from_this(), m);
    }
    if (m.method != kStored)
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

std::vector<std::byte> ZipArchive::inflate(const Member& member, std::uint64_t n) const
{
    const bool ours = member.index < members_.size() && members_[member.index].name == member.name
        && members_[member.index].size == member.size && members_[member.index].compressedSize == member.compressedSize;
    if (!ours || member.method != kDeflated || member.encrypted || options_.insideAnotherFile)
        throw FormatError("zip member '" + member.name + "' is not a deflated member we can inflate");
    const std::uint64_t want = std::min(n, member.size);
    std::vector<std::byte> out(static_cast<std::size_t>(want));
    std::lock_guard lock(mutex_);
    if (!zip_) { // kept only once it agrees with us
        ZipHandle z = openLibzip(path_, options_.checkConsistency);
        checkLibzipAgrees(z.get());
        zip_ = z.release();
    }
    // libzip inflates by its own reading of the directory: it must describe this member as we do.
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(zip_, member.index, ZIP_FL_ENC_RAW, &st) != 0 || !st.name || member.name != st.name
        || st.size != member.size || st.comp_size != member.compressedSize || st.comp_method != ZIP_CM_DEFLATE)
        throw FormatError("zip member '" + member.name + "' is described differently by libzip");
    zip_file_t* f = zip_fopen_index(zip_, member.index, 0);
    if (!f)
        throw FormatError("cannot open zip member '" + member.name + "': " + zip_strerror(zip_));
    std::uint64_t done = 0;
    std::string failure;
    while (done < want) {
        const zip_int64_t r = zip_fread(f, out.data() + done, want - done);
        if (r < 0) {
            failure = zip_file_strerror(f);
            break;
        }
        if (r == 0) {
            failure = "it ends after " + std::to_string(done) + " of its declared " + std::to_string(member.size)
                + " bytes";
            break;
        }
        done += static_cast<std::uint64_t>(r);
    }
    if (failure.empty() && want == member.size) {
        std::byte extra;
        const zip_int64_t r = zip_fread(f, &extra, 1); // also makes libzip check the CRC
        if (r < 0)
            failure = zip_file_strerror(f);
        else if (r > 0)
            failure = "it holds more than its declared " + std::to_string(member.size) + " bytes";
    }
    zip_fclose(f);
    if (!failure.empty())
        throw FormatError("cannot inflate zip member '" + member.name + "': " + failure);
    return out;
}

std::optional<std::vector<std::string>> zipMemberNames(const std::string& path)
{
    int err = 0;
    const ZipHandle z(zip_open(path.c_str(), ZIP_RDONLY, &err), &zip_discard);
    if (!z)
        return std::nullopt;
    const zip_int64_t n = zip_get_num_entries(z.get(), 0);
    std::vector<std::string> names;
    for (zip_int64_t i = 0; i < n && i < 1'000'000; ++i) {
        if (const char* name = zip_get_name(z.get(), static_cast<zip_uint64_t>(i), ZIP_FL_ENC_RAW))
            names.emplace_back(name);
    }
    return names;
}

} // namespace ckpt
