// The Architecture tab: the layers of an ONNX graph and a Keras 3 archive listed in order, a click
// on a layer selecting exactly its tensors in the tree, and the note for a file of tensors only.
#include "ArchitectureView.h"
#include "CheckpointTreeModel.h"
#include "MainWindow.h"
#include "TreeFilterProxy.h"
#include "UiTestSupport.h"

#include <QLabel>
#include <QTableWidget>
#include <QTreeView>

namespace {
const QString data = QStringLiteral(CKPT_TEST_DATA);

QStringList column(const QTableWidget* table, int column)
{
    QStringList out;
    for (int row = 0; row < table->rowCount(); ++row)
        out << table->item(row, column)->text();
    return out;
}

// The full names of the rows selected in the tree, sorted.
QStringList selectedTensors(const MainWindow& w)
{
    QStringList out;
    for (const QModelIndex& row : w.treeView()->selectionModel()->selectedRows())
        if (const auto* node = w.treeModel()->node(w.treeProxy()->mapToSource(row)))
            out << QString::fromStdString(node->path);
    out.sort();
    return out;
}

// Clicks the name of layer `row`, as a user does.
void clickLayer(ArchitectureView* view, int row)
{
    QTableWidget* table = view->table();
    const QRect rect = table->visualItemRect(table->item(row, ArchitectureView::Name));
    QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, rect.center());
}

QStringList sorted(QStringList list)
{
    list.sort();
    return list;
}
} // namespace

class TestUiArchitecture : public QObject {
    Q_OBJECT

    void showTab(MainWindow& w)
    {
        w.resize(1200, 800);
        w.show();
        w.tabs()->setCurrentWidget(w.architecture());
        QVERIFY(QTest::qWaitForWindowExposed(&w));
    }

private slots:
    void onnxNodesAndTheirInitializers()
    {
        MainWindow w;
        w.setErrorReporter([](const QString&, const QString& message) { QFAIL(qPrintable(message)); });
        QVERIFY(openAndWait(w, data + "/onnx/mlp.onnx"));
        showTab(w);
        const QTableWidget* table = w.architecture()->table();
        QVERIFY(table->isVisible());
        QCOMPARE(column(table, ArchitectureView::Name), (QStringList { "/fc1/Gemm", "/Relu", "/fc2/Gemm" }));
        QCOMPARE(column(table, ArchitectureView::Type), (QStringList { "Gemm", "Relu", "Gemm" }));
        QVERIFY2(table->item(0, ArchitectureView::Settings)->text().contains(QStringLiteral("transB=1")),
            qPrintable(table->item(0, ArchitectureView::Settings)->text()));
        clickLayer(w.architecture(), 2);
        QCOMPARE(selectedTensors(w), sorted({ "fc2.weight", "fc2.bias" }));
        clickLayer(w.architecture(), 0);
        QCOMPARE(selectedTensors(w), sorted({ "fc1.weight", "fc1.bias" }));
        // A layer without parameters leaves the tree as it was.
        clickLayer(w.architecture(), 1);
        QCOMPARE(selectedTensors(w), sorted({ "fc1.weight", "fc1.bias" }));
    }

    void kerasLayersSelectTheirVariables()
    {
        MainWindow w;
        w.setErrorReporter([](const QString&, const QString& message) { QFAIL(qPrintable(message)); });
        QVERIFY(openAndWait(w, data + "/keras3/convnet.keras"));
        showTab(w);
        const QTableWidget* table = w.architecture()->table();
        QCOMPARE(column(table, ArchitectureView::Name),
            (QStringList { "input", "conv", "bn", "flatten", "features", "logits" }));
        QCOMPARE(column(table, ArchitectureView::Type),
            (QStringList { "InputLayer", "Conv2D", "BatchNormalization", "Flatten", "Dense", "Dense" }));
        QCOMPARE(table->item(4, ArchitectureView::Settings)->text(),
            QStringLiteral("units=4, activation=relu, use_bias=false"));
        clickLayer(w.architecture(), 2);
        QCOMPARE(selectedTensors(w), sorted({ "bn/gamma", "bn/beta", "bn/moving_mean", "bn/moving_variance" }));
        clickLayer(w.architecture(), 5);
        QCOMPARE(selectedTensors(w), sorted({ "logits/kernel", "logits/bias" }));
    }

    // Hostile graphs (tests/data/bad/make_round4_files.py): 4096 of 100000 nodes are listed, and
    // names with NUL, terminal escapes and invalid UTF-8 show as one line.
    void hostileOnnxGraphs()
    {
        MainWindow w;
        w.setErrorReporter([](const QString&, const QString& message) { QFAIL(qPrintable(message)); });
        QVERIFY(openAndWait(w, data + "/bad/onnx_100000_nodes.onnx"));
        showTab(w);
        QCOMPARE(w.architecture()->table()->rowCount(), 4096);
        QVERIFY2(w.architecture()->summaryText().contains(QStringLiteral("4096 of 100000 nodes")),
            qPrintable(w.architecture()->summaryText()));
        QVERIFY(openAndWait(w, data + "/bad/onnx_control_names.onnx"));
        const QTableWidget* table = w.architecture()->table();
        QCOMPARE(table->rowCount(), 1);
        for (int c = ArchitectureView::Name; c < ArchitectureView::ColumnCount; ++c) {
            const QString text = table->item(0, c)->text();
            QVERIFY2(!text.contains(QChar(0)) && !text.contains(QChar(0x1b)) && !text.contains(QLatin1Char('\n')),
                qPrintable(text));
        }
        clickLayer(w.architecture(), 0);
        QCOMPARE(selectedTensors(w), QStringList { "w" });
    }

    void tensorsOnlyFileSaysSo()
    {
        MainWindow w;
        QVERIFY(openAndWait(w, data + "/keras3/mlp.keras"));
        QCOMPARE(w.architecture()->table()->rowCount(), 2);
        // The next file replaces the list with the note.
        QVERIFY(openAndWait(w, data + "/verify/mlp.npz"));
        QCOMPARE(w.architecture()->table()->rowCount(), 0);
        QVERIFY(w.architecture()->table()->isHidden());
        QCOMPARE(w.architecture()->summaryText(), QStringLiteral("This file stores only tensors; no architecture"));
    }
};

QTEST_MAIN(TestUiArchitecture)
#include "tst_ui_architecture.moc"
