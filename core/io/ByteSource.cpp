#include "io/ByteSource.h"
#include "io/MappedFiles.h"

#include "base/CheckpointError.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ckpt {

namespace {
void checkRange(std::uint64_t offset, std::size_t n, std::uint64_t size)
{
    if (offset > size || n > size - offset)
        throw FormatError("unexpected end of file: needed " + std::to_string(n) + " bytes at offset "
            + std::to_string(offset) + " of " + std::to_string(size));
}
} // namespace

std::vector<std::byte> ByteSource::readVector(std::uint64_t offset, std::size_t n) const
{
    checkRange(offset, n, size());
    std::vector<std::byte> v(n);
    read(offset, n, v.data());
    return v;
}

std::string ByteSource::readString(std::uint64_t offset, std::size_t n) const
{
    checkRange(offset, n, size());
    std::string s(n, '\0');
    read(offset, n, reinterpret_cast<std::byte*>(s.data()));
    return s;
}

FileByteSource::FileByteSource(const std::string& path)
    : path_(path)
{
    // O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below like a device.
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd_ < 0)
        throw CheckpointError(path, std::strerror(errno));
    struct stat st { };
    if (::fstat(fd_, &st) != 0) {
        const int err = errno;
        ::close(fd_);
        throw CheckpointError(path, std::strerror(err));
    }
    if (!S_ISREG(st.st_mode)) {
        ::close(fd_);
        throw CheckpointError(path, S_ISDIR(st.st_mode) ? "not a regular file (a directory)" : "not a regular file");
    }
    size_ = static_cast<std::uint64_t>(st.st_size);
    if (size_ > 0) {
        void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd_, 0);
        if (p != MAP_FAILED) {
            map_ = static_cast<const std::byte*>(p);
            registerMapping(map_, size_, fd_);
        }
    }
}

FileByteSource::~FileByteSource()
{
    if (map_) {
        unregisterMapping(map_);
        ::munmap(const_cast<std::byte*>(map_), size_);
    }
    if (fd_ >= 0)
        ::close(fd_);
}

void FileByteSource::read(std::uint64_t offset, std::size_t n, std::byte* dst) const
{
    checkRange(offset, n, size_);
    std::size_t done = 0;
    while (done < n) {
        const ssize_t r = ::pread(fd_, dst + done, n - done, static_cast<off_t>(offset + done));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            throw CheckpointError(path_, std::string("read failed: ") + std::strerror(errno));
        if (r == 0)
            throw CheckpointError(path_, "file shrank while reading");
        done += static_cast<std::size_t>(r);
    }
}

void FileByteSource::willNeed(std::uint64_t offset, std::size_t n) const
{
    if (offset < size_)
        ::posix_fadvise(fd_, static_cast<off_t>(offset), static_cast<off_t>(std::min<std::uint64_t>(n, size_ - offset)),
            POSIX_FADV_WILLNEED);
}

void MemoryByteSource::read(std::uint64_t offset, std::size_t n, std::byte* dst) const
{
    checkRange(offset, n, bytes_.size());
    if (n)
        std::memcpy(dst, bytes_.data() + offset, n);
}

SubByteSource::SubByteSource(std::shared_ptr<const ByteSource> parent, std::uint64_t offset, std::uint64_t size)
    : parent_(std::move(parent))
    , offset_(offset)
    , size_(size)
{
    checkRange(offset, size, parent_->size());
}

void SubByteSource::read(std::uint64_t offset, std::size_t n, std::byte* dst) const
{
    checkRange(offset, n, size_);
    parent_->read(offset_ + offset, n, dst);
}

void SubByteSource::willNeed(std::uint64_t offset, std::size_t n) const
{
    if (offset < size_)
        parent_->willNeed(offset_ + offset, std::min<std::uint64_t>(n, size_ - offset));
}

const std::byte* SubByteSource::data() const
{
    const std::byte* p = parent_->data();
    return p ? p + offset_ : nullptr;
}

} // namespace ckpt
