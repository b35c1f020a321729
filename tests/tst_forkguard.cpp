#include "sandbox/ForkGuard.h"

#include <QtTest>

#include <csignal>
#include <stdexcept>
#include <thread>

using namespace std::chrono_literals;

class TestForkGuard : public QObject {
    Q_OBJECT

private slots:
    void workThatFinishesIsNotAFailure()
    {
        QVERIFY(!ckpt::failureInForkedChild([] {}, 5s));
        QVERIFY(!ckpt::failureInForkedChild([] { throw std::runtime_error("a parse error"); }, 5s));
    }

    void aCrashIsReportedWithItsSignal()
    {
        // The default action, not a sanitizer's handler (which would spend seconds on a report).
        const auto failure = ckpt::failureInForkedChild(
            [] {
                std::signal(SIGSEGV, SIG_DFL);
                std::raise(SIGSEGV);
            },
            30s);
        QVERIFY(failure);
        QVERIFY2(failure->rfind("crashed", 0) == 0, failure->c_str());
    }

    void aHangIsStoppedAtTheDeadline()
    {
        QElapsedTimer timer;
        timer.start();
        const auto failure = ckpt::failureInForkedChild([] { std::this_thread::sleep_for(60s); }, 300ms);
        QVERIFY(failure);
        QCOMPARE(QString::fromStdString(*failure), QStringLiteral("did not finish within 300 ms"));
        QVERIFY(timer.elapsed() < 5000);
    }

    void theChildCannotChangeTheParent()
    {
        int value = 1;
        QVERIFY(!ckpt::failureInForkedChild([&] { value = 2; }, 5s));
        QCOMPARE(value, 1);
    }
};

QTEST_GUILESS_MAIN(TestForkGuard)
#include "tst_forkguard.moc"
