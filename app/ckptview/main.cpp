// ckptview: the desktop checkpoint browser.
#include "MainWindow.h"

#include "output/PendingOutputs.h"
#include "report/About.h"

#include <QApplication>

#include <qcustomplot.h>

#include <cstring>
#include <iostream>

namespace {

constexpr const char* kUsage = R"(Usage: ckptview [--run RUN]... [FILE|FOLDER]
A fast, safe desktop browser for deep-learning checkpoints.

Opens FILE (or a model FOLDER) in the layer browser, or the embedded demo without one (and
without --run).
Formats are recognised by content: PyTorch (.pt/.pth/.bin, zip and legacy), safetensors
(and sharded indexes), HDF5 and Keras (.h5/.keras), NumPy (.npy/.npz), MXNet/Gluon (.params),
TensorFlow checkpoints (.index), ONNX, GGUF and Flax msgpack. No code from a file is ever run.

Options:
  --run RUN      open a training run in the Timeline tab: a folder of checkpoints, or one of
                 its files (repeat --run for several files and folders)
  -h, --help     show this help and exit
  --version      show the version and the libraries used, and exit

The command line `ckpt` does the same from a terminal (see `ckpt --help`).
)";

// --help and --version are answered before QApplication exists, so they need no display and
// open no window. Returns the exit code, or -1 to go on and start the app.
int answerInformationalOptions(int argc, char** argv)
{
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) {
            std::cout << kUsage;
            return 0;
        }
        if (std::strcmp(argv[i], "--version") == 0) {
            std::cout << ckpt::versionText("ckptview") << "  Qt " << qVersion() << "\n  QCustomPlot "
                      << QCUSTOMPLOT_VERSION_STR << "\n";
            return 0;
        }
    }
    return -1;
}

} // namespace

int main(int argc, char** argv)
{
    if (const int code = answerInformationalOptions(argc, argv); code >= 0)
        return code;
    ckpt::removePendingOutputsOnSignals();
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("ckptview"));
    QApplication::setApplicationVersion(QString::fromStdString(ckpt::versionString()));
    QApplication::setOrganizationName(QStringLiteral("ckptview"));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/ckptview.svg")));
    MainWindow window;
    window.show();
    QStringList run;
    QString file;
    const QStringList args = QApplication::arguments();
    for (qsizetype i = 1; i < args.size(); ++i) {
        if (args.at(i) == QStringLiteral("--run") && i + 1 < args.size())
            run << args.at(++i);
        else if (file.isEmpty())
            file = args.at(i);
    }
    if (!run.isEmpty())
        window.openRun(run);
    if (!file.isEmpty())
        window.openFile(file);
    else if (run.isEmpty())
        window.openDemo();
    return QApplication::exec();
}
