// libFuzzer target: one reader (CKPT_FUZZ_READER, its FormatReader::name()) opens the input as a
// file and every tensor's first elements (and those of its repeated parts) are read, as `ckpt ls`,
// `ckpt stats` and the app would. Errors are the expected outcome for most inputs; crashes,
// hangs, leaks and huge allocations are the findings.
#include "base/CheckpointError.h"
#include "open/ReaderRegistry.h"
#include "sandbox/ForkGuard.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#ifndef CKPT_FUZZ_READER
#error "CKPT_FUZZ_READER must name the reader under test"
#endif

namespace {

const ckpt::FormatReader& readerUnderTest()
{
    static const ckpt::FormatReader* reader = [] {
        for (const auto& r : ckpt::allReaders())
            if (r->name() == CKPT_FUZZ_READER)
                return r.get();
        std::fprintf(stderr, "no reader named '%s'; the readers are:\n", CKPT_FUZZ_READER);
        for (const auto& r : ckpt::allReaders())
            std::fprintf(stderr, "  '%.*s'\n", int(r->name().size()), r->name().data());
        std::abort();
    }();
    return *reader;
}

// The input as a file in memory: readers open paths read-only, like user files.
class MemoryFile {
public:
    MemoryFile(const std::uint8_t* data, std::size_t size)
        : fd_(memfd_create("ckpt-fuzz", 0))
    {
        std::size_t done = 0;
        while (fd_ >= 0 && done < size) {
            const ssize_t n = write(fd_, data + done, size - done);
            if (n <= 0)
                break;
            done += std::size_t(n);
        }
    }
    ~MemoryFile()
    {
        if (fd_ >= 0)
            close(fd_);
    }
    std::string path() const { return "/proc/self/fd/" + std::to_string(fd_); }
    bool ok() const { return fd_ >= 0; }

private:
    int fd_;
};

void readSomeOfEveryTensor(const ckpt::Checkpoint& checkpoint)
{
    std::vector<std::byte> buffer;
    for (const auto& tensor : checkpoint.tensors) {
        if (!tensor.data)
            continue;
        try {
            const std::int64_t numel = ckpt::shapeNumel(tensor.info.shape);
            const std::int64_t count = std::min<std::int64_t>(numel, 4096);
            buffer.resize(std::size_t(count) * ckpt::dtypeSize(tensor.info.dtype));
            tensor.data->readFlat(0, count, buffer.data());
            if (numel > count)
                tensor.data->readFlat(numel - 1, 1, buffer.data());
            // What statistics read instead of a tensor that stores little of what it declares
            // (HDF5: the stored chunks listed through libhdf5's chunk index, virtual mappings).
            for (const auto& part : tensor.data->repeatedParts()) {
                const std::int64_t n = std::min<std::int64_t>(ckpt::shapeNumel(part.elements->shape()), 4096);
                buffer.resize(std::size_t(n) * ckpt::dtypeSize(tensor.info.dtype));
                part.elements->readFlat(0, n, buffer.data());
            }
        } catch (const ckpt::CheckpointError&) {
        } catch (const ckpt::FormatError&) {
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***)
{
    // Well under the -timeout the fuzz script gives libFuzzer, so a hang is reported as an error.
    ckpt::forkGuardDeadline() = std::chrono::milliseconds(3000);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    MemoryFile file(data, size);
    if (!file.ok())
        return 0;
    try {
        const ckpt::FileProbe probe = ckpt::FileProbe::read(file.path());
        const auto& reader = readerUnderTest();
        if (!reader.matches(probe))
            return 0;
        readSomeOfEveryTensor(reader.open(probe));
    } catch (const ckpt::CheckpointError&) {
    } catch (const ckpt::FormatError&) {
    }
    return 0;
}
