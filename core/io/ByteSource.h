#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ckpt {

// Random access to bytes: a file opened read-only, or a buffer in memory.
// read() is positioned (no shared cursor), so it is safe from several threads.
class ByteSource {
public:
    virtual ~ByteSource() = default;
    virtual std::uint64_t size() const = 0;
    // Reads exactly n bytes at offset or throws FormatError ("unexpected end of file ...").
    virtual void read(std::uint64_t offset, std::size_t n, std::byte* dst) const = 0;
    // Direct pointer to the bytes if they are in memory or mapped, else nullptr.
    virtual const std::byte* data() const { return nullptr; }
    // Says that [offset, offset + n) will be read soon: a file starts reading it in the background
    // (many small reads scattered over a file then wait for the disk together, not one by one).
    virtual void willNeed(std::uint64_t /*offset*/, std::size_t /*n*/) const { }

    std::vector<std::byte> readVector(std::uint64_t offset, std::size_t n) const;
    std::string readString(std::uint64_t offset, std::size_t n) const;
};

// A regular file opened read-only, read with pread. Anything else (a FIFO, a device, a directory) is
// refused with "not a regular file" before a byte is read. Throws CheckpointError naming the file.
class FileByteSource final : public ByteSource {
public:
    explicit FileByteSource(const std::string& path);
    ~FileByteSource() override;
    FileByteSource(const FileByteSource&) = delete;
    FileByteSource& operator=(const FileByteSource&) = delete;

    std::uint64_t size() const override { return size_; }
    void read(std::uint64_t offset, std::size_t n, std::byte* dst) const override;
    const std::byte* data() const override { return map_; }
    void willNeed(std::uint64_t offset, std::size_t n) const override;
    const std::string& path() const { return path_; }

private:
    std::string path_;
    int fd_ = -1;
    std::uint64_t size_ = 0;
    const std::byte* map_ = nullptr; // read-only private mapping, when mmap succeeds
};

// Bytes held in memory (decompressed zip members, pickled byte strings, test data).
class MemoryByteSource final : public ByteSource {
public:
    explicit MemoryByteSource(std::vector<std::byte> bytes)
        : bytes_(std::move(bytes))
    {
    }
    std::uint64_t size() const override { return bytes_.size(); }
    void read(std::uint64_t offset, std::size_t n, std::byte* dst) const override;
    const std::byte* data() const override { return bytes_.data(); }

private:
    std::vector<std::byte> bytes_;
};

// A window [offset, offset + size) of another source (a stored zip member, a shard's data).
class SubByteSource final : public ByteSource {
public:
    SubByteSource(std::shared_ptr<const ByteSource> parent, std::uint64_t offset, std::uint64_t size);
    std::uint64_t size() const override { return size_; }
    void read(std::uint64_t offset, std::size_t n, std::byte* dst) const override;
    const std::byte* data() const override;
    void willNeed(std::uint64_t offset, std::size_t n) const override;

private:
    std::shared_ptr<const ByteSource> parent_;
    std::uint64_t offset_;
    std::uint64_t size_;
};

} // namespace ckpt
