#include "MainWindow.h"

#include "formats/ReaderRegistry.h"

#include <QLabel>
#include <QMessageBox>

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent)
    , summary_(new QLabel(this))
{
    setWindowTitle(tr("ckptview"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/ckptview.svg")));
    summary_->setAlignment(Qt::AlignCenter);
    setCentralWidget(summary_);
    resize(1100, 720);
}

bool MainWindow::openFile(const QString& path)
{
    try {
        const auto c = ckpt::openCheckpoint(path.toStdString());
        summary_->setText(tr("%1\n%2, %3 tensors").arg(path, QString::fromStdString(c.format)).arg(c.tensors.size()));
        return true;
    } catch (const std::exception& e) {
        QMessageBox::warning(this, tr("Cannot open file"), QString::fromStdString(e.what()));
        return false;
    }
}
