#include "io/PairedRead.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace ckpt {

PairedRead::PairedRead()
    : helper_([this] { help(); })
{
}

PairedRead::~PairedRead()
{
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    wake_.notify_all();
    helper_.join();
}

std::uint64_t PairedRead::read(int fd, std::byte* out, std::uint64_t n, std::uint64_t offset, std::uint64_t piece)
{
    {
        std::lock_guard lock(mutex_);
        job_ = { fd, out, n, offset, std::max<std::uint64_t>(piece, 1), n };
        pending_ = true;
    }
    wake_.notify_all();
    readPieces(0);
    std::unique_lock lock(mutex_);
    done_.wait(lock, [&] { return !pending_; });
    return job_.shortAt;
}

void PairedRead::readPieces(int parity)
{
    Job job;
    {
        std::lock_guard lock(mutex_);
        job = job_;
    }
    for (std::uint64_t at = static_cast<std::uint64_t>(parity) * job.piece; at < job.n; at += 2 * job.piece) {
        const std::uint64_t want = std::min(job.piece, job.n - at);
        std::uint64_t done = 0;
        while (done < want) {
            const ssize_t r
                = ::pread(job.fd, job.out + at + done, want - done, static_cast<off_t>(job.offset + at + done));
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0)
                break;
            done += static_cast<std::uint64_t>(r);
        }
        if (done < want) {
            std::lock_guard lock(mutex_);
            job_.shortAt = std::min(job_.shortAt, at + done);
            return; // what follows would be past the end, or fail alike
        }
    }
}

void PairedRead::help()
{
    std::unique_lock lock(mutex_);
    for (;;) {
        wake_.wait(lock, [&] { return stop_ || pending_; });
        if (stop_)
            return;
        lock.unlock();
        readPieces(1);
        lock.lock();
        pending_ = false;
        done_.notify_all();
    }
}

} // namespace ckpt
