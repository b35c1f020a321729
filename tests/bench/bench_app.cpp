// The app's responsiveness, measured on a real window (offscreen or X):
//   bench_app tree FILE            time from opening FILE to its tree being shown and painted
//   bench_app stall FILE TENSOR    longest event-loop stall while TENSOR's statistics are computed
#include "MainWindow.h"
#include "StatsJobs.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QTimer>
#include <QTreeView>

#include <cstdio>

namespace {

int treeLatency(const QString& path)
{
    MainWindow window;
    window.resize(1200, 800);
    window.show();
    QApplication::processEvents();
    QElapsedTimer clock;
    clock.start();
    if (!window.openFile(path))
        return 1;
    QApplication::processEvents(); // layout and paint
    window.treeView()->viewport()->repaint();
    const qint64 ns = clock.nsecsElapsed();
    std::printf("tree of %s: %d top-level rows shown %.1f ms after opening\n", qPrintable(path),
        window.treeView()->model()->rowCount(), double(ns) / 1e6);
    return 0;
}

int eventLoopStall(const QString& path, const QString& tensor)
{
    MainWindow window;
    window.resize(1200, 800);
    window.show();
    if (!window.openFile(path))
        return 1;
    QApplication::processEvents();
    QElapsedTimer clock, sinceTick;
    qint64 worst = 0;
    bool done = false;
    QTimer ticker;
    ticker.setInterval(1);
    QObject::connect(&ticker, &QTimer::timeout, [&] {
        worst = std::max(worst, sinceTick.nsecsElapsed());
        sinceTick.restart();
    });
    QObject::connect(window.statsJobs(), &StatsJobs::ready, [&] { done = true; });
    QObject::connect(window.statsJobs(), &StatsJobs::failed, [&](int, const QString& message) {
        std::fprintf(stderr, "stats failed: %s\n", qPrintable(message));
        done = true;
    });
    clock.start();
    sinceTick.start();
    ticker.start();
    if (!window.selectTensor(tensor))
        return 1;
    worst = std::max(worst, sinceTick.nsecsElapsed()); // selecting must not block either
    while (!done)
        QApplication::processEvents(QEventLoop::WaitForMoreEvents, 50);
    std::printf("statistics of %s in the app: %.0f ms; longest event-loop stall %.1f ms\n", qPrintable(tensor),
        double(clock.nsecsElapsed()) / 1e6, double(worst) / 1e6);
    return 0;
}

// Not a measurement: a picture of the window on FILE, in the light or a dark palette, to look at.
int screenshot(const QString& path, const QString& out, bool dark)
{
    if (dark) {
        QPalette p;
        p.setColor(QPalette::Window, QColor(45, 45, 48));
        p.setColor(QPalette::WindowText, QColor(230, 230, 230));
        p.setColor(QPalette::Base, QColor(30, 30, 30));
        p.setColor(QPalette::AlternateBase, QColor(40, 40, 44));
        p.setColor(QPalette::Text, QColor(230, 230, 230));
        p.setColor(QPalette::Button, QColor(55, 55, 60));
        p.setColor(QPalette::ButtonText, QColor(230, 230, 230));
        p.setColor(QPalette::Highlight, QColor(42, 130, 218));
        p.setColor(QPalette::HighlightedText, Qt::white);
        p.setColor(QPalette::Mid, QColor(100, 100, 100));
        QApplication::setStyle(QStringLiteral("Fusion"));
        QApplication::setPalette(p);
    }
    MainWindow window;
    window.resize(1400, 900);
    window.show();
    if (!(path.isEmpty() ? window.openDemo() : window.openFile(path)))
        return 1;
    QElapsedTimer wait;
    wait.start();
    while (wait.elapsed() < 1500)
        QApplication::processEvents(QEventLoop::AllEvents, 50);
    return window.grab().save(out) ? 0 : 1;
}

} // namespace

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    const QStringList args = QApplication::arguments().mid(1);
    if (args.size() == 2 && args[0] == "tree")
        return treeLatency(args[1]);
    if (args.size() == 3 && args[0] == "stall")
        return eventLoopStall(args[1], args[2]);
    if (args.size() >= 3 && args[0] == "shot")
        return screenshot(args[1] == QStringLiteral("demo") ? QString() : args[1], args[2],
            args.size() > 3 && args[3] == QStringLiteral("dark"));
    std::fprintf(stderr, "usage: bench_app tree FILE | stall FILE TENSOR | shot FILE|demo OUT.png [dark]\n");
    return 2;
}
