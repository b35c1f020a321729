#include "sandbox/ForkGuard.h"

#include <csignal>
#include <cstring>
#include <thread>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

// Under libFuzzer the child must not report its death as a finding of the parent's input:
// it dies quietly and the parent turns its death into an ordinary error.
extern "C" void __sanitizer_set_death_callback(void (*)(void)) __attribute__((weak));

namespace ckpt {

std::chrono::milliseconds& forkGuardDeadline()
{
    static std::chrono::milliseconds deadline{20000};
    return deadline;
}

std::optional<std::string> failureInForkedChild(const std::function<void()>& work, std::chrono::milliseconds deadline)
{
    const pid_t child = fork();
    if (child < 0)
        return std::nullopt; // cannot isolate (out of processes): do the work unguarded, as before
    if (child == 0) {
        if (__sanitizer_set_death_callback)
            __sanitizer_set_death_callback(nullptr);
        // The library's (or a sanitizer's) last words would garble the parent's error output.
        const int devNull = open("/dev/null", O_WRONLY);
        if (devNull >= 0) {
            dup2(devNull, STDOUT_FILENO);
            dup2(devNull, STDERR_FILENO);
        }
        try {
            work();
        } catch (...) {
        }
        _exit(0); // no atexit handlers, no flushing of the parent's buffers
    }

    using Clock = std::chrono::steady_clock;
    const auto start = Clock::now();
    auto pause = std::chrono::microseconds(50);
    int status = 0;
    for (;;) {
        const pid_t done = waitpid(child, &status, WNOHANG);
        if (done == child)
            break;
        if (done < 0)
            return std::nullopt;
        if (Clock::now() - start > deadline) {
            kill(child, SIGKILL);
            waitpid(child, &status, 0);
            const auto ms = deadline.count();
            return "did not finish within " + (ms % 1000 == 0 ? std::to_string(ms / 1000) + " s" : std::to_string(ms) + " ms");
        }
        std::this_thread::sleep_for(pause);
        pause = std::min(pause * 2, std::chrono::microseconds(20000));
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return std::nullopt;
    if (WIFSIGNALED(status))
        return "crashed (signal " + std::to_string(WTERMSIG(status)) + ", " + strsignal(WTERMSIG(status)) + ")";
    return "crashed (exit status " + std::to_string(WEXITSTATUS(status)) + ")";
}

} // namespace ckpt
