#include "io/MappedAccess.h"

#include <sys/mman.h>
#include <unistd.h>

#include <csetjmp>
#include <csignal>
#include <cstdint>
#include <mutex>

namespace ckpt {

namespace {

thread_local sigjmp_buf* activeAccess = nullptr;
struct sigaction previousAction;

void onSigbus(int signal, siginfo_t* info, void* context)
{
    if (sigjmp_buf* jump = activeAccess) {
        activeAccess = nullptr;
        siglongjmp(*jump, 1);
    }
    // Not ours: whoever handled SIGBUS before (a sanitizer, the default action) takes it.
    if (previousAction.sa_flags & SA_SIGINFO) {
        previousAction.sa_sigaction(signal, info, context);
    } else if (previousAction.sa_handler != SIG_IGN && previousAction.sa_handler != SIG_DFL) {
        previousAction.sa_handler(signal);
    } else {
        std::signal(SIGBUS, SIG_DFL); // the faulting access repeats and the default action ends the process
    }
}

void installHandler()
{
    struct sigaction action { };
    action.sa_sigaction = onSigbus;
    action.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&action.sa_mask);
    sigaction(SIGBUS, &action, &previousAction);
}

} // namespace

bool runMappedAccess(void (*fn)(void*), void* context)
{
    static std::once_flag installed;
    std::call_once(installed, installHandler);
    sigjmp_buf jump;
    sigjmp_buf* const outer = activeAccess;
    if (sigsetjmp(jump, 1) != 0) { // the signal mask is restored, SIGBUS unblocked
        activeAccess = outer;
        return false;
    }
    activeAccess = &jump;
    fn(context);
    activeAccess = outer;
    return true;
}

void adviseWillNeed(const std::byte* mapped, std::size_t bytes)
{
    static const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
    const auto begin = reinterpret_cast<std::uintptr_t>(mapped) & ~(page - 1);
    const auto end = reinterpret_cast<std::uintptr_t>(mapped) + bytes;
    if (bytes > 0)
        ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_WILLNEED);
}

} // namespace ckpt
