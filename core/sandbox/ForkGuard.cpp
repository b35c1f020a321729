#include "sandbox/ForkGuard.h"

#include <algorithm>
#include <csignal>
#include <cstdio>
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
    static std::chrono::milliseconds deadline { 20000 };
    return deadline;
}

namespace {

constexpr std::size_t kMaxReport = 4096; // well under a pipe's buffer, so the child never blocks

// Resident bytes of a process, or 0 when /proc cannot tell.
std::uint64_t residentBytes(pid_t pid)
{
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/statm", int(pid));
    FILE* statm = std::fopen(path, "re");
    if (!statm)
        return 0;
    unsigned long long sizePages = 0, residentPages = 0;
    const int fields = std::fscanf(statm, "%llu %llu", &sizePages, &residentPages);
    std::fclose(statm);
    return fields == 2 ? residentPages * std::uint64_t(sysconf(_SC_PAGESIZE)) : 0;
}

std::string describeDuration(std::chrono::milliseconds duration)
{
    const auto ms = duration.count();
    return ms % 1000 == 0 ? std::to_string(ms / 1000) + " s" : std::to_string(ms) + " ms";
}

[[noreturn]] void runChild(const std::function<std::string()>& work, int reportFd)
{
    if (__sanitizer_set_death_callback)
        __sanitizer_set_death_callback(nullptr);
    // A crash handler inherited from the parent (Qt Test's starts gdb and waits for it) would
    // turn a crash into a hang until the deadline: the child dies at once instead.
    for (int sig : { SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL })
        std::signal(sig, SIG_DFL);
    // The library's (or a sanitizer's) last words would garble the parent's error output.
    const int devNull = open("/dev/null", O_WRONLY);
    if (devNull >= 0) {
        dup2(devNull, STDOUT_FILENO);
        dup2(devNull, STDERR_FILENO);
    }
    std::string report;
    try {
        report = work();
    } catch (const std::exception& e) {
        report = *e.what() ? e.what() : "an unnamed error";
    } catch (...) {
        report = "an unnamed error";
    }
    report.resize(std::min(report.size(), kMaxReport));
    for (std::size_t written = 0; written < report.size();) {
        const ssize_t n = write(reportFd, report.data() + written, report.size() - written);
        if (n <= 0)
            break;
        written += std::size_t(n);
    }
    _exit(0); // no atexit handlers, no flushing of the parent's buffers
}

std::string readReport(int fd)
{
    std::string report;
    char buffer[1024];
    ssize_t n;
    while (report.size() < kMaxReport && (n = read(fd, buffer, sizeof buffer)) > 0)
        report.append(buffer, std::size_t(n));
    return report;
}

// What the parent can see of a running child: its scheduler state and the CPU time it has
// used, in clock ticks, in user space and in the kernel.
struct ChildProgress {
    char state = '?';
    std::uint64_t user = 0, system = 0;
};

ChildProgress progressOf(pid_t pid)
{
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/stat", int(pid));
    FILE* stat = std::fopen(path, "re");
    if (!stat)
        return {};
    char line[1024];
    const bool read = std::fgets(line, sizeof line, stat) != nullptr;
    std::fclose(stat);
    const char* afterName = read ? std::strrchr(line, ')') : nullptr; // the name may hold spaces
    ChildProgress progress;
    unsigned long long user = 0, system = 0;
    if (afterName
        && std::sscanf(
               afterName + 1, " %c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &progress.state, &user, &system)
            == 3) {
        progress.user = user;
        progress.system = system;
    }
    return progress;
}

// Whether a child, looked at over a second, is stuck on a lock copied at the fork: the fork
// copies a lock another thread of the parent held, not the thread that would release it. The
// walk computes and reads a file in one thread and never waits on a lock. A child that does
// either sleeps without using CPU (a futex) or, for the spin locks of the sanitizers'
// allocators, spends its CPU time in the kernel calling sched_yield.
class BlockDetector {
public:
    using Clock = std::chrono::steady_clock;
    static constexpr std::chrono::milliseconds kWindow { 1000 };

    bool blocked(const ChildProgress& now, Clock::time_point time)
    {
        if (!started_) {
            started_ = true;
            windowStart_ = time;
            first_ = now;
            return false;
        }
        if (time - windowStart_ < kWindow)
            return false;
        const std::uint64_t user = now.user - first_.user, system = now.system - first_.system;
        const auto ticks = std::chrono::duration<double>(time - windowStart_).count() * double(sysconf(_SC_CLK_TCK));
        const bool asleep = now.state == 'S' && user + system == 0;
        // Spinning: nearly all its CPU time in the kernel, and some CPU time at all. Not a share
        // of the window: on a loaded machine a spinning child may get a tenth of a core.
        const bool spinning = double(user + system) >= std::max(2.0, 0.05 * ticks) && system > 4 * user;
        windowStart_ = time;
        first_ = now;
        return asleep || spinning;
    }

private:
    bool started_ = false;
    Clock::time_point windowStart_;
    ChildProgress first_;
};

constexpr int kAttempts = 3;

// How long an attempt that is not the last may run before it is forked again: on a loaded
// machine a child spinning on a copied lock gets so little CPU that its time profile cannot be
// told from a busy child's, so the first attempts are also bounded in time. A walk that really
// needs longer costs these seconds again, never an error: the last attempt runs to the deadline.
constexpr std::chrono::milliseconds kAttemptBudget[]
    = { std::chrono::milliseconds(4000), std::chrono::milliseconds(8000) };

enum class Attempt { Finished, Stopped, Blocked, Unguarded };

} // namespace

ChildOutcome runInForkedChild(const std::function<std::string()>& work, const ChildLimits& limits)
{
    using Clock = std::chrono::steady_clock;
    const auto start = Clock::now();
    ChildOutcome outcome;
    for (int attempt = 1;; ++attempt) {
        // A child that looks blocked is forked again; the last attempt runs to the deadline, so a
        // child mistaken for blocked costs time, never a false error.
        const bool lastAttempt = attempt == kAttempts;
        const auto attemptStart = Clock::now();
        int reportPipe[2];
        if (pipe2(reportPipe, O_CLOEXEC) != 0)
            return {};
        const std::uint64_t residentAtFork = residentBytes(getpid());
        const pid_t child = fork();
        if (child < 0) { // out of processes: the caller does the work unguarded, as before
            close(reportPipe[0]);
            close(reportPipe[1]);
            return {};
        }
        if (child == 0) {
            close(reportPipe[0]);
            runChild(work, reportPipe[1]);
        }
        close(reportPipe[1]);

        const std::uint64_t residentLimit = residentAtFork + limits.memoryBytes;
        BlockDetector detector;
        auto pause = std::chrono::microseconds(50);
        int status = 0;
        Attempt result = Attempt::Finished;
        for (;;) {
            const pid_t done = waitpid(child, &status, WNOHANG);
            if (done == child)
                break;
            if (done < 0) {
                result = Attempt::Unguarded;
                break;
            }
            const auto now = Clock::now();
            if (now - start > limits.deadline) {
                outcome.failure = "did not finish within " + describeDuration(limits.deadline);
                result = Attempt::Stopped;
                break;
            }
            if (residentBytes(child) > residentLimit) {
                outcome.failure = "needed more than " + std::to_string(limits.memoryBytes >> 20) + " MiB of memory";
                result = Attempt::Stopped;
                break;
            }
            if (!lastAttempt
                && (detector.blocked(progressOf(child), now) || now - attemptStart > kAttemptBudget[attempt - 1])) {
                result = Attempt::Blocked;
                break;
            }
            std::this_thread::sleep_for(pause);
            pause = std::min(pause * 2, std::chrono::microseconds(10000));
        }
        if (result != Attempt::Unguarded && result != Attempt::Finished) {
            kill(child, SIGKILL);
            waitpid(child, nullptr, 0);
        }
        if (result != Attempt::Finished) {
            close(reportPipe[0]);
            if (result == Attempt::Blocked)
                continue; // a lock copied at the fork is likely free by the next one
            if (result == Attempt::Unguarded)
                return {};
            return outcome;
        }
        outcome.report = readReport(reportPipe[0]);
        close(reportPipe[0]);
        if (WIFSIGNALED(status))
            outcome.failure
                = "crashed (signal " + std::to_string(WTERMSIG(status)) + ", " + strsignal(WTERMSIG(status)) + ")";
        else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            outcome.failure = "crashed (exit status " + std::to_string(WEXITSTATUS(status)) + ")";
        return outcome;
    }
}

} // namespace ckpt
