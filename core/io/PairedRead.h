#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <thread>

namespace ckpt {

// Positioned reads with two requests in flight: the calling thread and a helper of this object's
// each read every other piece. A disk behind a virtual machine, or a fast SSD, serves two
// requests at once markedly faster than one after the other (issue 20: 1.2 s instead of 1.6 s
// for 1.5 GB here, where dd takes 1.5 s).
class PairedRead {
public:
    PairedRead();
    ~PairedRead();
    PairedRead(const PairedRead&) = delete;
    PairedRead& operator=(const PairedRead&) = delete;

    // Reads [offset, offset + n) of fd into out in pieces of `piece` bytes (for O_DIRECT: out,
    // offset and piece aligned as the file needs). Returns how many bytes from the start were read
    // in full: less than n at the end of the file, or after a failed read.
    std::uint64_t read(int fd, std::byte* out, std::uint64_t n, std::uint64_t offset, std::uint64_t piece);

private:
    struct Job {
        int fd = -1;
        std::byte* out = nullptr;
        std::uint64_t n = 0, offset = 0, piece = 0;
        std::uint64_t shortAt = 0; // the lowest offset (from the start) that could not be read
    };
    void readPieces(int parity); // the pieces of job_ with index % 2 == parity
    void help();

    std::mutex mutex_;
    std::condition_variable wake_, done_;
    Job job_;
    bool pending_ = false; // a job for the helper
    bool stop_ = false;
    std::thread helper_;
};

} // namespace ckpt
