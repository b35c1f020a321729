// Export from the app, driven as a user would (offscreen): check boxes on the layer tree (a
// group checks its tensors, partial states), the "Export selected…" dialog with its live name
// preview, the file the core reads back, refusing to replace a file, cancel leaving nothing,
// an error naming the file and the reason, and a dtype the format cannot hold.
#include "CheckpointTreeModel.h"
#include "ExportDialog.h"
#include "MainWindow.h"
#include "TreeFilterProxy.h"
#include "UiTestSupport.h"
#include "open/ReaderRegistry.h"
#include "tensor/TensorData.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QDialogButtonBox>
#include <QDir>
#include <QPointer>
#include <QProcess>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>

#include <cstring>
#include <fstream>

namespace {
const QString data = QStringLiteral(CKPT_TEST_DATA);

Qt::CheckState stateOf(const CheckpointTreeModel* m, const QString& path)
{
    return m->indexForPath(path).data(Qt::CheckStateRole).value<Qt::CheckState>();
}

QStringList checkedNames(const CheckpointTreeModel* m)
{
    QStringList names;
    for (int t : m->checkedTensors())
        names << QString::fromStdString(m->opened().checkpoint->tensors[std::size_t(t)].info.name);
    return names;
}

// An .npy of rows x cols float32 zeros (sparse on disk): large enough that an export takes a while.
QString writeBigNpy(const QString& path, std::int64_t rows, std::int64_t cols)
{
    std::ofstream f(path.toStdString(), std::ios::binary);
    std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + std::to_string(rows) + ", "
        + std::to_string(cols) + "), }";
    header.append(64 - (10 + header.size() + 1) % 64, ' ');
    header += '\n';
    const std::uint16_t len = std::uint16_t(header.size());
    f.write("\x93NUMPY\x01\x00", 8);
    f.write(reinterpret_cast<const char*>(&len), 2);
    f << header;
    f.seekp(std::streamoff(rows * cols * 4 - 1), std::ios::cur);
    f.put('\0');
    return path;
}
} // namespace

class TestUiExport : public QObject {
    Q_OBJECT
    QStringList errors_;
    QStringList questions_;
    bool answer_ = false;

    void hook(MainWindow& w)
    {
        w.setErrorReporter([this](const QString&, const QString& message) { errors_ << message; });
        w.setConfirmer([this](const QString&, const QString& text) {
            questions_ << text;
            return answer_;
        });
    }

    // The export dialog of `file` with `checked` ticked (every tensor when empty); null when
    // the file could not be opened or nothing is ticked.
    ExportDialog* exportDialogFor(MainWindow& w, const QString& file, const QString& checked = {})
    {
        hook(w);
        if (!openAndWait(w, file))
            return nullptr;
        if (checked.isEmpty())
            w.treeModel()->setAllChecked(true);
        else if (!w.treeModel()->setChecked(checked, true))
            return nullptr;
        return w.openExportDialog();
    }

private slots:
    void init()
    {
        errors_.clear();
        questions_.clear();
        answer_ = false;
    }

    void checkingAGroupChecksItsTensors()
    {
        MainWindow w;
        hook(w);
        QVERIFY(openAndWait(w, data + "/hdf5/slices3d.h5"));
        auto* m = w.treeModel();
        QAbstractItemModelTester tester(m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(!w.exportAction()->isEnabled());
        QVERIFY(m->flags(m->indexForPath("layers")) & Qt::ItemIsUserCheckable);
        QCOMPARE(stateOf(m, "layers"), Qt::Unchecked);

        // A click on the group's box, through the view's (sorting, filtering) proxy.
        QSignalSpy changed(m, &QAbstractItemModel::dataChanged);
        auto* proxy = w.treeProxy();
        QVERIFY(proxy->setData(proxy->mapFromSource(m->indexForPath("layers")), Qt::Checked, Qt::CheckStateRole));
        QCOMPARE(checkedNames(m),
            (QStringList {
                "layers/0/weight", "layers/1/weight", "layers/10/weight", "layers/11/weight", "layers/2/weight" }));
        QCOMPARE(stateOf(m, "layers"), Qt::Checked);
        QCOMPARE(stateOf(m, "layers/10"), Qt::Checked);
        QCOMPARE(stateOf(m, "layers/10/weight"), Qt::Checked);
        QCOMPARE(stateOf(m, "cube"), Qt::Unchecked);
        QVERIFY(!changed.isEmpty());
        QVERIFY(w.exportAction()->isEnabled());

        // One tensor unchecked: its parents are partially checked (or unchecked when empty).
        QVERIFY(m->setData(m->indexForPath("layers/2/weight"), Qt::Unchecked, Qt::CheckStateRole));
        QCOMPARE(stateOf(m, "layers"), Qt::PartiallyChecked);
        QCOMPARE(stateOf(m, "layers/2"), Qt::Unchecked);
        QCOMPARE(m->checkedCount(), 4);
        // Clicking a partially checked group checks all of it.
        QVERIFY(m->setData(m->indexForPath("layers"), Qt::PartiallyChecked, Qt::CheckStateRole));
        QCOMPARE(stateOf(m, "layers"), Qt::Checked);
        QCOMPARE(m->checkedCount(), 5);
        // The check state survives filtering and sorting, which only change the view.
        proxy->setNameFilter("cube");
        w.treeView()->sortByColumn(CheckpointTreeModel::Size, Qt::DescendingOrder);
        proxy->setNameFilter(QString());
        QCOMPARE(m->checkedCount(), 5);
        QVERIFY(m->setChecked("cube", true));
        QCOMPARE(m->checkedCount(), 6);
        m->setAllChecked(false);
        QCOMPARE(m->checkedCount(), 0);
        QCOMPARE(stateOf(m, "layers"), Qt::Unchecked);
        QVERIFY(!w.exportAction()->isEnabled());
        QVERIFY(!w.openExportDialog());
        // A new file starts with nothing checked.
        m->setAllChecked(true);
        QVERIFY(openAndWait(w, data + "/verify/mlp.params"));
        QCOMPARE(m->checkedCount(), 0);
        QVERIFY(!w.exportAction()->isEnabled());
    }

    // Another file opened while the dialog is up (opening runs in the background): the dialog
    // says its checkpoint was closed, exports nothing and still closes.
    void dialogOutlivingItsCheckpoint()
    {
        QTemporaryDir dir;
        MainWindow w;
        QPointer<ExportDialog> dialog = exportDialogFor(w, data + "/verify/mlp.params", "hidden");
        QVERIFY(dialog);
        QVERIFY(openAndWait(w, data + "/hdf5/slices3d.h5"));
        QVERIFY2(dialog->messageText().contains("closed"), qPrintable(dialog->messageText()));
        dialog->setOutputPath(dir.filePath("never.safetensors"));
        QVERIFY(!dialog->startExport());
        QVERIFY(!QFileInfo::exists(dir.filePath("never.safetensors")));
        dialog->reject();
        QTRY_VERIFY(!dialog);
    }

    void exportTwoLayersToSafetensors()
    {
        QTemporaryDir dir;
        MainWindow w;
        auto* dialog = exportDialogFor(w, data + "/verify/mlp.params", "hidden");
        QVERIFY(dialog);
        QVERIFY(dialog->isVisible());
        // The default output sits beside the source and is safetensors.
        QCOMPARE(dialog->outputPath(), data + "/verify/mlp-selected.safetensors");
        QCOMPARE(dialog->formatText(), QStringLiteral("safetensors"));
        QCOMPARE(dialog->previewNames(), (QStringList { "hidden.weight", "hidden.bias" }));
        dialog->setStripPrefix("hidden.");
        dialog->setAddPrefix("encoder/0.");
        QCOMPARE(dialog->previewNames(), (QStringList { "encoder/0.weight", "encoder/0.bias" }));
        dialog->setOutputPath(dir.filePath("x.txt"));
        QVERIFY(dialog->formatText().startsWith("unknown"));
        QVERIFY(!dialog->startExport());
        dialog->setOutputPath(dir.filePath("first.npz"));
        QCOMPARE(dialog->formatText(), QStringLiteral("npz"));

        const QString out = dir.filePath("first.safetensors");
        dialog->setOutputPath(out);
        QSignalSpy exported(dialog, &ExportDialog::exported);
        answer_ = true; // open the exported file when asked
        QVERIFY(dialog->startExport());
        QVERIFY(dialog->isRunning());
        QVERIFY(dialog->progressBar()->isVisible());
        QVERIFY(exported.wait(30000));
        QCOMPARE(exported.first().at(0).toString(), out);
        QCOMPARE(exported.first().at(1).toInt(), 2);
        QVERIFY(errors_.isEmpty());
        QVERIFY2(w.statusBar()->currentMessage().contains(out), qPrintable(w.statusBar()->currentMessage()));

        // The core reads back the same values under the new names.
        const auto source = ckpt::openCheckpoint((data + "/verify/mlp.params").toStdString());
        const auto written = ckpt::openCheckpoint(out.toStdString());
        QCOMPARE(written.format, std::string("safetensors"));
        QCOMPARE(written.tensors.size(), std::size_t(2));
        for (const auto& [from, to] :
            { std::pair { "hidden.weight", "encoder/0.weight" }, std::pair { "hidden.bias", "encoder/0.bias" } }) {
            const auto* a = source.find(from);
            const auto* b = written.find(to);
            QVERIFY2(a && b, to);
            QCOMPARE(b->info.dtype, a->info.dtype);
            QCOMPARE(b->info.shape, a->info.shape);
            QCOMPARE(ckpt::readTensor(*b).bytes, ckpt::readTensor(*a).bytes);
        }
        // The app offered to open the file, and did.
        QTRY_COMPARE(w.opened().path, out);
        QVERIFY(questions_.last().contains("Open it now?"));
        QCOMPARE(w.treeModel()->rowCount(), 1); // "encoder"
    }

    // The CLI's --with-architecture: offered where the format holds it, written as the CLI writes it.
    void exportWithArchitecture()
    {
        QTemporaryDir dir;
        MainWindow w;
        auto* dialog = exportDialogFor(w, data + "/verify/mlp.params");
        QVERIFY(dialog);
        QVERIFY(!dialog->withArchitectureAvailable()); // safetensors
        const QString out = dir.filePath("with-architecture.h5");
        dialog->setOutputPath(out);
        QVERIFY(dialog->withArchitectureAvailable());
        dialog->setWithArchitecture(true);
        QSignalSpy exported(dialog, &ExportDialog::exported);
        QVERIFY(dialog->startExport());
        QVERIFY(exported.wait(30000));
        const auto written = ckpt::openCheckpoint(out.toStdString());
        QVERIFY2(written.metadata.contains("architecture"), written.metadata.dump().c_str());
        QProcess cli;
        cli.start(CKPT_BINARY_DIR "/app/ckpt",
            { "export", data + "/verify/mlp.params", "-o", dir.filePath("cli.h5"), "--with-architecture" });
        QVERIFY(cli.waitForFinished(30000));
        QCOMPARE(cli.exitCode(), 0);
        const auto byCli = ckpt::openCheckpoint(dir.filePath("cli.h5").toStdString());
        QVERIFY2(written.metadata["architecture"] == byCli.metadata["architecture"],
            byCli.metadata["architecture"].dump().c_str());
    }

    void refusesToReplaceAFileUnlessConfirmed()
    {
        QTemporaryDir dir;
        const QString out = dir.filePath("existing.h5");
        {
            QFile f(out);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("precious");
        }
        MainWindow w;
        auto* dialog = exportDialogFor(w, data + "/verify/mlp.params", "output.bias");
        QVERIFY(dialog);
        dialog->setOutputPath(out);
        answer_ = false;
        QVERIFY(!dialog->startExport());
        QCOMPARE(questions_.size(), 1);
        QVERIFY(questions_.first().contains(out));
        QVERIFY2(dialog->messageText().contains("already exists"), qPrintable(dialog->messageText()));
        QFile f(out);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), QByteArray("precious"));
        f.close();
        // Confirmed: replaced.
        answer_ = true;
        QSignalSpy exported(dialog, &ExportDialog::exported);
        QVERIFY(dialog->startExport());
        QVERIFY(exported.wait(30000));
        const auto written = ckpt::openCheckpoint(out.toStdString());
        QCOMPARE(written.tensors.size(), std::size_t(1));
        QCOMPARE(written.tensors[0].info.name, std::string("output.bias"));
    }

    void cancelLeavesNoFile_data()
    {
        QTest::addColumn<QString>("output");
        QTest::newRow("HDF5") << "cancelled.h5";
        QTest::newRow("safetensors") << "cancelled.safetensors";
        QTest::newRow("npz") << "cancelled.npz";
    }

    void cancelLeavesNoFile()
    {
        QFETCH(QString, output);
        QTemporaryDir sourceDir, dir;
        const QString big = writeBigNpy(sourceDir.filePath("big.npy"), 8192, 8192); // 256 MiB
        MainWindow w;
        auto* dialog = exportDialogFor(w, big);
        QVERIFY(dialog);
        dialog->setOutputPath(dir.filePath(output));
        QSignalSpy cancelled(dialog, &ExportDialog::cancelled);
        QSignalSpy exported(dialog, &ExportDialog::exported);
        QVERIFY(dialog->startExport());
        // The dialog's Cancel button stops the export; the dialog stays open.
        dialog->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Cancel)->click();
        QVERIFY(cancelled.wait(30000));
        QCOMPARE(exported.size(), 0);
        QVERIFY(dialog->isVisible());
        QVERIFY(!dialog->isRunning());
        QVERIFY2(dialog->messageText().startsWith("Cancelled"), qPrintable(dialog->messageText()));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot), QStringList());
        QVERIFY(errors_.isEmpty());
        // Cancel once idle closes the dialog.
        dialog->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Cancel)->click();
        QVERIFY(!dialog->isVisible());
    }

    void failureNamesTheFileAndTheReason()
    {
        QTemporaryDir dir;
        MainWindow w;
        auto* dialog = exportDialogFor(w, data + "/verify/mlp.params");
        QVERIFY(dialog);
        const QString out = dir.filePath("no-such-dir/out.h5");
        dialog->setOutputPath(out);
        QSignalSpy failed(dialog, &ExportDialog::failed);
        QVERIFY(dialog->startExport());
        QVERIFY(failed.wait(30000));
        QCOMPARE(errors_.size(), 1);
        QVERIFY2(errors_.first().startsWith(out + ": "), qPrintable(errors_.first()));
        QVERIFY(errors_.first().size() > out.size() + 4); // and the reason
        QCOMPARE(dialog->messageText(), errors_.first());
        QVERIFY(dialog->isVisible()); // to choose another place
        QCOMPARE(QDir(dir.path()).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot), QStringList());
    }

    void dtypeTheFormatCannotHold()
    {
        QTemporaryDir dir;
        MainWindow w;
        hook(w);
        QVERIFY(openAndWait(w, data + "/torch/dtypes.pt"));
        const auto& tensors = w.opened().checkpoint->tensors;
        QString bf16;
        for (const auto& t : tensors)
            if (t.info.dtype == ckpt::DType::BFloat16)
                bf16 = QString::fromStdString(t.info.name);
        QVERIFY(!bf16.isEmpty());
        QVERIFY(w.treeModel()->setChecked(bf16, true));
        auto* dialog = w.openExportDialog();
        dialog->setOutputPath(dir.filePath("bf16.npz"));
        QSignalSpy failed(dialog, &ExportDialog::failed);
        QVERIFY(dialog->startExport());
        QVERIFY(failed.wait(30000));
        QVERIFY2(errors_.first().contains("'" + bf16 + "' is bfloat16"), qPrintable(errors_.first()));
        dialog->setCastToFloat32(true);
        QSignalSpy exported(dialog, &ExportDialog::exported);
        QVERIFY(dialog->startExport());
        QVERIFY(exported.wait(30000));
        const auto written = ckpt::openCheckpoint(dir.filePath("bf16.npz").toStdString());
        QCOMPARE(written.tensors.at(0).info.dtype, ckpt::DType::Float32);
    }
};

QTEST_MAIN(TestUiExport)
#include "tst_ui_export.moc"
