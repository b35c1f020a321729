#pragma once

// What the app's tests share: opening a file in the main window and waiting until it is shown
// (opening runs in the background, as it does for a user).
#include "MainWindow.h"

#include <QSignalSpy>
#include <QTest>

// Errors the window reports are collected into `errors` (and logged) instead of shown: a modal
// error box would hang an offscreen test until the watchdog fires.
inline void collectErrors(MainWindow& w, QStringList& errors)
{
    w.setErrorReporter([&errors](const QString&, const QString& message) {
        errors << message;
        qWarning("reported error: %s", qPrintable(message));
    });
}

// True when the file is shown; false when it could not be opened (the error was reported).
inline bool openAndWait(MainWindow& w, const QString& path)
{
    QSignalSpy shown(&w, &MainWindow::checkpointShown);
    QSignalSpy failed(&w, &MainWindow::openFailed);
    if (!w.openFile(path))
        return false;
    return QTest::qWaitFor([&] { return shown.count() + failed.count() > 0; }, 60000) && shown.count() == 1;
}

inline bool openDemoAndWait(MainWindow& w)
{
    QSignalSpy shown(&w, &MainWindow::checkpointShown);
    QSignalSpy failed(&w, &MainWindow::openFailed);
    if (!w.openDemo())
        return false;
    return QTest::qWaitFor([&] { return shown.count() + failed.count() > 0; }, 60000) && shown.count() == 1;
}
