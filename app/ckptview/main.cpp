// ckptview: the desktop checkpoint browser.
#include "MainWindow.h"

#include "output/PendingOutputs.h"

#include <QApplication>

int main(int argc, char** argv)
{
    ckpt::removePendingOutputsOnSignals();
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("ckptview"));
    QApplication::setOrganizationName(QStringLiteral("ckptview"));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/ckptview.svg")));
    MainWindow window;
    window.show();
    const QStringList args = QApplication::arguments();
    if (args.size() > 1)
        window.openFile(args.at(1));
    else
        window.openDemo();
    return QApplication::exec();
}
