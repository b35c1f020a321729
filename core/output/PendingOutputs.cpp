#include "output/PendingOutputs.h"

#include <atomic>
#include <csignal>
#include <cstring>
#include <unistd.h>

namespace ckpt {

namespace {

// Fixed storage: the signal handler may only touch memory that is never reallocated.
constexpr int kSlots = 16;
constexpr std::size_t kPathMax = 4096;
char paths[kSlots][kPathMax];
std::atomic<bool> claimed[kSlots]; // slot taken by a writer
std::atomic<bool> ready[kSlots]; // path complete: the handler may use it

void onSignal(int sig)
{
    for (int i = 0; i < kSlots; ++i)
        if (ready[i].load())
            ::unlink(paths[i]);
    std::signal(sig, SIG_DFL);
    std::raise(sig);
}

} // namespace

void registerPendingOutput(const char* path)
{
    if (std::strlen(path) >= kPathMax)
        return;
    for (int i = 0; i < kSlots; ++i) {
        bool expected = false;
        if (!claimed[i].compare_exchange_strong(expected, true))
            continue;
        std::strcpy(paths[i], path);
        ready[i].store(true);
        return;
    }
}

void unregisterPendingOutput(const char* path)
{
    for (int i = 0; i < kSlots; ++i)
        if (ready[i].load() && std::strcmp(paths[i], path) == 0) {
            ready[i].store(false);
            claimed[i].store(false);
            return;
        }
}

void removePendingOutputsOnSignals()
{
    for (int sig : { SIGINT, SIGTERM, SIGHUP })
        std::signal(sig, onSignal);
    // Past the file size limit (ulimit -f) a write should fail with EFBIG, reported like a full
    // disk, instead of the signal killing the process with the temporary file left behind.
    std::signal(SIGXFSZ, SIG_IGN);
}

} // namespace ckpt
