#include "sandbox/ForkGuard.h"

#include <QtTest>

#include <atomic>
#include <csignal>
#include <cstring>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>

#include <fcntl.h>
#include <sched.h>
#include <sys/mman.h>
#include <unistd.h>

using namespace std::chrono_literals;

namespace {

constexpr std::uint64_t kMiB = 1 << 20;

// How many children ran the work: a counter in memory shared with them. Tests count forks
// instead of timing them, so that a loaded machine cannot fail them.
class ForkCounter {
public:
    ForkCounter()
        : count_(static_cast<std::atomic<int>*>(
            mmap(nullptr, sizeof(std::atomic<int>), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0)))
    {
        new (count_) std::atomic<int>(0);
    }
    ~ForkCounter() { munmap(count_, sizeof(std::atomic<int>)); }
    void childStarted() { count_->fetch_add(1); }
    int children() const { return count_->load(); }

private:
    std::atomic<int>* count_;
};

ckpt::ChildOutcome runGuarded(const std::function<std::string()>& work, std::chrono::milliseconds deadline = 30s,
    std::uint64_t memory = 256 * kMiB)
{
    return ckpt::runInForkedChild(work, { deadline, memory });
}

// A thread takes a lock, the work forks while it holds it and takes it too, and the thread
// releases it 300 ms later: the work succeeds, in a child forked after the first was found stuck.
void expectForkedAgainOnceReleased(const std::function<void()>& take, const std::function<void()>& release)
{
    std::promise<void> holding;
    std::thread holder([&] {
        take();
        holding.set_value();
        std::this_thread::sleep_for(300ms);
        release();
    });
    holding.get_future().wait();
    ForkCounter forks;
    const auto outcome = runGuarded([&] {
        forks.childStarted();
        take();
        return std::string("took the lock");
    });
    holder.join();
    QVERIFY2(!outcome.failure, outcome.failure ? outcome.failure->c_str() : "");
    QCOMPARE(QString::fromStdString(outcome.report), QStringLiteral("took the lock"));
    QVERIFY2(forks.children() >= 2, qPrintable(QString::number(forks.children()) + " children")); // forked again
}

} // namespace

class TestForkGuard : public QObject {
    Q_OBJECT

private slots:
    void workThatSucceedsReportsNothing()
    {
        const auto outcome = runGuarded([] { return std::string(); });
        QVERIFY(!outcome.failure);
        QCOMPARE(outcome.report, std::string());
    }

    void theChildsErrorComesBack()
    {
        auto outcome = runGuarded([] { return std::string("dataset 'w' has a bad shape"); });
        QVERIFY(!outcome.failure);
        QCOMPARE(outcome.report, std::string("dataset 'w' has a bad shape"));

        outcome = runGuarded([]() -> std::string { throw std::runtime_error("a parse error"); });
        QVERIFY(!outcome.failure);
        QCOMPARE(outcome.report, std::string("a parse error"));
    }

    void aLongReportIsCutNotBlocking()
    {
        const auto outcome = runGuarded([] { return std::string(1 << 20, 'x'); });
        QVERIFY(!outcome.failure);
        QCOMPARE(outcome.report.size(), std::size_t(4096));
    }

    void aCrashIsReportedWithItsSignal()
    {
        // The default action, not a sanitizer's handler (which would spend seconds on a report).
        const auto outcome = runGuarded([]() -> std::string {
            std::signal(SIGSEGV, SIG_DFL);
            std::raise(SIGSEGV);
            return {};
        });
        QVERIFY(outcome.failure);
        QVERIFY2(outcome.failure->rfind("crashed (signal 11", 0) == 0, outcome.failure->c_str());
    }

    void aHangIsStoppedAtTheDeadline()
    {
        QElapsedTimer timer;
        timer.start();
        const auto outcome = runGuarded(
            [] {
                std::this_thread::sleep_for(60s);
                return std::string();
            },
            300ms);
        QVERIFY(outcome.failure);
        QCOMPARE(QString::fromStdString(*outcome.failure), QStringLiteral("did not finish within 300 ms"));
        QVERIFY(timer.elapsed() < 30000); // far from the 60 s the work would take
    }

    void runawayMemoryIsStoppedAtTheBudget()
    {
        QElapsedTimer timer;
        timer.start();
        const auto outcome = runGuarded(
            [] {
                // Touch 64 MiB blocks until stopped: 8 GiB if nothing stops it.
                std::vector<std::unique_ptr<char[]>> blocks;
                for (int i = 0; i < 128; ++i) {
                    blocks.emplace_back(new char[64 * kMiB]);
                    std::memset(blocks.back().get(), 1, 64 * kMiB);
                }
                return std::string("allocated 8 GiB");
            },
            60s, 128 * kMiB);
        QVERIFY(outcome.failure);
        QCOMPARE(QString::fromStdString(*outcome.failure), QStringLiteral("needed more than 128 MiB of memory"));
        QVERIFY(timer.elapsed() < 30000);
    }

    // Another thread holds a lock the work needs at the moment of the fork, and releases it soon
    // after: the first child can never take it (the fork copied the lock, not the holder), and
    // is forked again once it has been stuck for a second.
    void aChildBlockedOnACopiedLockIsForkedAgain()
    {
        std::mutex lock;
        expectForkedAgainOnceReleased([&] { lock.lock(); }, [&] { lock.unlock(); });
    }

    // The same with a lock that spins with sched_yield, as the sanitizers' allocators do: the
    // child keeps using CPU, in the kernel, without getting anywhere.
    void aChildSpinningOnACopiedLockIsForkedAgain()
    {
        std::atomic_flag spin = ATOMIC_FLAG_INIT;
        expectForkedAgainOnceReleased(
            [&] {
                while (spin.test_and_set())
                    sched_yield();
            },
            [&] { spin.clear(); });
    }

    // A child that reads in a tight loop spends its time in the kernel, like a spin lock: it may
    // be forked again, but is never stopped as blocked.
    void aChildReadingIsNeverStoppedAsBlocked()
    {
        const auto outcome = runGuarded([] {
            const auto until = std::chrono::steady_clock::now() + 2500ms;
            char byte;
            std::uint64_t reads = 0;
            const int fd = open("/proc/self/stat", O_RDONLY);
            while (std::chrono::steady_clock::now() < until)
                reads += pread(fd, &byte, 1, 0) == 1;
            close(fd);
            return std::string(reads > 0 ? "read" : "nothing");
        });
        QVERIFY2(!outcome.failure, outcome.failure ? outcome.failure->c_str() : "");
        QCOMPARE(QString::fromStdString(outcome.report), QStringLiteral("read"));
    }

    // Three forks, each blocked: the third runs to the deadline.
    void aChildBlockedAtEveryForkStopsAtTheDeadline()
    {
        std::mutex lock;
        std::lock_guard held(lock);
        QElapsedTimer timer;
        timer.start();
        const auto outcome = runGuarded(
            [&] {
                std::lock_guard taken(lock);
                return std::string("took the lock");
            },
            4s);
        QVERIFY(outcome.failure);
        QCOMPARE(QString::fromStdString(*outcome.failure), QStringLiteral("did not finish within 4 s"));
        QVERIFY(timer.elapsed() < 30000); // the default deadline of these tests would be 30 s
    }

    void aBusyChildIsNotTakenForBlocked()
    {
        ForkCounter forks;
        const auto outcome = runGuarded([&] {
            forks.childStarted();
            const auto until = std::chrono::steady_clock::now() + 2500ms;
            volatile std::uint64_t spins = 0;
            while (std::chrono::steady_clock::now() < until)
                spins = spins + 1;
            return std::string("done");
        });
        QVERIFY(!outcome.failure);
        QCOMPARE(QString::fromStdString(outcome.report), QStringLiteral("done"));
        QCOMPARE(forks.children(), 1); // never forked again
    }

    void theChildCannotChangeTheParent()
    {
        int value = 1;
        QVERIFY(!runGuarded([&] {
            value = 2;
            return std::string();
        }).failure);
        QCOMPARE(value, 1);
    }
};

QTEST_GUILESS_MAIN(TestForkGuard)
#include "tst_forkguard.moc"
