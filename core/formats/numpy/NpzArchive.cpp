#include "formats/numpy/NpzArchive.h"

#include "base/CheckpointError.h"
#include "formats/numpy/InflatedMemberSource.h"
#include "formats/numpy/ZipCentralDirectory.h"

#include <zip.h>

namespace ckpt {

namespace {
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
} // namespace

std::shared_ptr<NpzArchive> NpzArchive::open(const std::string& path, std::shared_ptr<const ByteSource> file)
{
    std::shared_ptr<NpzArchive> archive(new NpzArchive());
    archive->file_ = std::move(file);
    int code = 0;
    archive->zip_ = zip_open(path.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &code);
    if (!archive->zip_)
        throw FormatError("not a readable zip archive: " + zipErrorText(code));
    const auto directory = readZipCentralDirectory(*archive->file_);
    const zip_int64_t count = zip_get_num_entries(archive->zip_, 0);
    if (count < 0 || static_cast<std::uint64_t>(count) != directory.size())
        throw FormatError("zip central directory has " + std::to_string(directory.size()) + " entries but libzip sees "
            + std::to_string(count));
    for (zip_uint64_t i = 0; i < static_cast<zip_uint64_t>(count); ++i) {
        zip_stat_t st;
        zip_stat_init(&st);
        if (zip_stat_index(archive->zip_, i, ZIP_FL_ENC_RAW, &st) != 0)
            throw FormatError(std::string("cannot read zip entry: ") + zip_strerror(archive->zip_));
        Member m;
        m.name = st.name ? st.name : "";
        m.index = i;
        m.size = st.size;
        m.compressedSize = st.comp_size;
        m.localHeaderOffset = directory[i].localHeaderOffset;
        if (directory[i].name != m.name)
            throw FormatError("zip entry " + std::to_string(i) + " is named differently in the central directory");
        if (st.encryption_method != ZIP_EM_NONE)
            throw FormatError("zip member '" + m.name + "' is encrypted");
        if (st.comp_method == ZIP_CM_DEFLATE) {
            m.deflated = true;
            if (m.size / kMaxDeflateRatio > m.compressedSize + 1)
                throw FormatError("zip member '" + m.name + "' declares " + std::to_string(m.size) + " bytes from "
                    + std::to_string(m.compressedSize)
                    + " compressed bytes, more than deflate can produce (a zip bomb?)");
        } else if (st.comp_method == ZIP_CM_STORE) {
            if (m.size != m.compressedSize)
                throw FormatError("stored zip member '" + m.name + "' has different compressed and uncompressed sizes");
        } else {
            throw FormatError(
                "zip member '" + m.name + "' uses unsupported compression method " + std::to_string(st.comp_method));
        }
        archive->members_.push_back(std::move(m));
    }
    return archive;
}

NpzArchive::~NpzArchive()
{
    if (zip_)
        zip_discard(zip_);
}

std::shared_ptr<const ByteSource> NpzArchive::memberBytes(const Member& member) const
{
    if (member.deflated)
        return std::make_shared<InflatedMemberSource>(shared_from_this(), member);
    const std::uint64_t dataOffset = zipMemberDataOffset(*file_, member.localHeaderOffset);
    if (dataOffset > file_->size() || member.size > file_->size() - dataOffset)
        throw FormatError("zip member '" + member.name + "' runs past the end of the file");
    return std::make_shared<SubByteSource>(file_, dataOffset, member.size);
}

std::vector<std::byte> NpzArchive::inflate(const Member& member, std::uint64_t n) const
{
    const std::uint64_t want = std::min(n, member.size);
    std::vector<std::byte> out(static_cast<std::size_t>(want));
    std::lock_guard lock(mutex_);
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

} // namespace ckpt
