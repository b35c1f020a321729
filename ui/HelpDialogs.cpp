#include "HelpDialogs.h"

#include "report/About.h"

#include <QApplication>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFile>
#include <QMessageBox>
#include <QTextBrowser>
#include <QVBoxLayout>

#include <qcustomplot.h>

QDialog* showQuickGuide(QWidget* parent)
{
    const QString name = QStringLiteral("quickGuide");
    if (auto* open = parent->findChild<QDialog*>(name)) {
        open->raise();
        open->activateWindow();
        return open;
    }
    auto* dialog = new QDialog(parent);
    dialog->setObjectName(name);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(QObject::tr("ckptview — quick guide"));
    auto* text = new QTextBrowser(dialog);
    QFile guide(QStringLiteral(":/help/quick-guide.html"));
    if (guide.open(QIODevice::ReadOnly))
        text->setHtml(QString::fromUtf8(guide.readAll()));
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, dialog);
    QObject::connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::close);
    auto* layout = new QVBoxLayout(dialog);
    layout->addWidget(text);
    layout->addWidget(buttons);
    dialog->resize(640, 560);
    dialog->show();
    return dialog;
}

void showAbout(QWidget* parent)
{
    QString libraries = QStringLiteral("<li>Qt %1</li><li>QCustomPlot %2</li>")
                            .arg(QString::fromLatin1(qVersion()), QStringLiteral(QCUSTOMPLOT_VERSION_STR));
    for (const auto& [name, version] : ckpt::libraryVersions())
        libraries += QStringLiteral("<li>%1 %2</li>")
                         .arg(QString::fromStdString(name).toHtmlEscaped(), QString::fromStdString(version));
    QMessageBox::about(parent, QObject::tr("About ckptview"),
        QObject::tr("<h3>ckptview %1</h3><p>A fast, safe browser for deep-learning checkpoints, and <tt>ckpt</tt>, "
                    "its command line. No code from a file is ever run.</p><p>Built with:</p><ul>%2</ul>")
            .arg(QString::fromStdString(ckpt::versionString()), libraries));
}
