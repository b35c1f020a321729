#include "TensorPanel.h"

#include "HeatmapView.h"
#include "HistogramView.h"
#include "NumberText.h"
#include "ShownText.h"
#include "SliceTableModel.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QGridLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QRegularExpressionValidator>
#include <QSpinBox>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>

#include <cmath>

#include <map>

TensorPanel::TensorPanel(QWidget* parent)
    : QWidget(parent)
    , header_(new QLabel(this))
    , statsGrid_(new QGridLayout)
    , tabs_(new QTabWidget(this))
    , sliceBar_(new QHBoxLayout)
    , rowAxis_(new QComboBox(this))
    , colAxis_(new QComboBox(this))
    , windowBar_(new QWidget(this))
    , windowNote_(new QLabel(this))
    , firstRowEdit_(new QLineEdit(this))
    , firstColumnEdit_(new QLineEdit(this))
    , slice_(new SliceTableModel(this))
    , table_(new QTableView(this))
    , heatmap_(new HeatmapView(this))
    , valuesPage_(new QWidget(this))
    , histogram_(new HistogramView(this))
{
    header_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    header_->setWordWrap(true);
    const char* keys[] = { "count", "min", "max", "mean", "std", "nan", "+inf", "-inf", "zeros" };
    int col = 0;
    for (const char* k : keys) {
        auto* name = new QLabel(QString::fromLatin1(k), this);
        name->setStyleSheet(QStringLiteral("color: palette(mid);"));
        auto* value = new QLabel(QStringLiteral("–"), this);
        value->setTextInteractionFlags(Qt::TextSelectableByMouse);
        statsGrid_->addWidget(name, 0, col);
        statsGrid_->addWidget(value, 1, col);
        statLabels_.emplace_back(QString::fromLatin1(k), value);
        ++col;
    }

    auto* valuesLayout = new QVBoxLayout(valuesPage_);
    sliceBar_->addWidget(new QLabel(tr("Rows:"), this));
    sliceBar_->addWidget(rowAxis_);
    sliceBar_->addWidget(new QLabel(tr("Columns:"), this));
    sliceBar_->addWidget(colAxis_);
    sliceBar_->addStretch();
    valuesLayout->addLayout(sliceBar_);
    auto* windowLayout = new QHBoxLayout(windowBar_);
    windowLayout->setContentsMargins(0, 0, 0, 0);
    windowLayout->addWidget(windowNote_);
    for (auto [edit, label] :
        { std::pair { firstRowEdit_, tr("From row:") }, std::pair { firstColumnEdit_, tr("from column:") } }) {
        edit->setValidator(new QRegularExpressionValidator(QRegularExpression(QStringLiteral("\\d{1,19}")), edit));
        edit->setMaximumWidth(160);
        edit->setMinimumWidth(edit->fontMetrics().horizontalAdvance(QStringLiteral("00000000000000")));
        edit->setToolTip(tr("The first index shown; press Enter to go there"));
        windowLayout->addWidget(new QLabel(label, windowBar_));
        windowLayout->addWidget(edit);
        connect(edit, &QLineEdit::returnPressed, this, &TensorPanel::applyWindowStart);
    }
    windowLayout->addStretch();
    valuesLayout->addWidget(windowBar_);
    // The table and the heatmap of the same slice side by side (drag the handle to give either more room).
    auto* split = new QSplitter(Qt::Horizontal, valuesPage_);
    split->addWidget(table_);
    split->addWidget(heatmap_);
    split->setChildrenCollapsible(false);
    split->setSizes({ 300, 500 }); // the heatmap and its norm strips get the larger share
    // Room for one whole float32 cell beside the row numbers, so a value is never cut at the smallest size.
    table_->setMinimumWidth(
        cellWidthFor(ckpt::DType::Float32) + table_->fontMetrics().horizontalAdvance(QStringLiteral("000000")));
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 1);
    valuesLayout->addWidget(split, 1);
    table_->setModel(slice_);
    table_->horizontalHeader()->setDefaultSectionSize(cellWidthFor(ckpt::DType::Float32));
    table_->verticalHeader()->setDefaultSectionSize(22);
    table_->setSelectionMode(QAbstractItemView::ContiguousSelection);
    auto* copy = new QAction(tr("Copy"), table_);
    copy->setShortcut(QKeySequence::Copy);
    copy->setShortcutContext(Qt::WidgetShortcut);
    table_->addAction(copy);
    table_->setContextMenuPolicy(Qt::ActionsContextMenu);
    connect(copy, &QAction::triggered, this, &TensorPanel::copySelection);

    tabs_->addTab(histogram_, tr("Histo&gram"));
    tabs_->addTab(valuesPage_, tr("Val&ues"));
    // The heatmap reads the slice only while it can be seen.
    connect(tabs_, &QTabWidget::currentChanged, this,
        [this] { heatmap_->setActive(tabs_->currentWidget() == valuesPage_); });

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(header_);
    layout->addLayout(statsGrid_);
    layout->addWidget(tabs_, 1);

    for (auto* axis : { rowAxis_, colAxis_ })
        axis->setSizeAdjustPolicy(QComboBox::AdjustToContents); // "axis 1 (288)" whole
    rowAxis_->setToolTip(tr("The tensor axis that runs down the table's rows (and the heatmap's)"));
    colAxis_->setToolTip(tr("The tensor axis that runs across the table's columns (and the heatmap's)"));
    connect(rowAxis_, &QComboBox::currentIndexChanged, this, [this] { applySliceControls(); });
    connect(colAxis_, &QComboBox::currentIndexChanged, this, [this] { applySliceControls(); });
    connect(histogram_, &HistogramView::binsChanged, this, &TensorPanel::binsChanged);
    setTensor(nullptr, nullptr, -1);
}

// Wide enough for the longest text a cell of this dtype shows (6 significant digits for floats,
// every digit for integers), so that no number is cut.
int TensorPanel::cellWidthFor(ckpt::DType dtype) const
{
    const QString widest = ckpt::isFloating(dtype)
        ? QStringLiteral("-0.000000000e-000")
        : QStringLiteral("-") + QString(int(std::ceil(double(ckpt::dtypeSize(dtype)) * 2.41)), QLatin1Char('0'));
    return std::max(60, table_->fontMetrics().horizontalAdvance(widest) + 12);
}

void TensorPanel::setTensor(CheckpointSession* session, const ckpt::Tensor* tensor, int tensorIndex)
{
    session_ = session;
    tensor_ = tensor;
    tensorIndex_ = tensorIndex;
    for (auto& [_, label] : statLabels_)
        label->setText(QStringLiteral("–"));
    if (!tensor) {
        header_->setText(tr("<i>Select a tensor in the tree.</i>"));
        slice_->setTensor(nullptr, nullptr, -1);
        histogram_->clear();
        rebuildSliceControls();
        updateWindowBar();
        updateHeatmap();
        return;
    }
    const auto& i = tensor->info;
    header_->setText(QStringLiteral("<b>%1</b><br>%2 %3 · %4 elements · %5 · <span style='color:gray'>%6</span>")
                         .arg(shownText(i.name).toHtmlEscaped(), QString::fromLatin1(ckpt::dtypeName(i.dtype).data()),
                             shapeText(i.shape), groupedCount(i.numel()), sizeText(i.nbytes()),
                             shownText(i.location).toHtmlEscaped()));
    slice_->setTensor(session, tensor, tensorIndex);
    table_->horizontalHeader()->setDefaultSectionSize(cellWidthFor(i.dtype));
    rebuildSliceControls();
    updateWindowBar();
    updateHeatmap();
    histogram_->clear(tr("computing…"));
}

QString TensorPanel::statText(const QString& key) const
{
    for (const auto& [k, label] : statLabels_)
        if (k == key)
            return label->text();
    return {};
}

void TensorPanel::showStats(const ckpt::TensorStats& s)
{
    const std::map<QString, QString> text = {
        { QStringLiteral("count"), groupedCount(s.count) },
        { QStringLiteral("min"), floatText(s.min) },
        { QStringLiteral("max"), floatText(s.max) },
        { QStringLiteral("mean"), floatText(s.mean) },
        { QStringLiteral("std"), floatText(s.std) },
        { QStringLiteral("nan"), groupedCount(s.nan) },
        { QStringLiteral("+inf"), groupedCount(s.posInf) },
        { QStringLiteral("-inf"), groupedCount(s.negInf) },
        { QStringLiteral("zeros"), groupedCount(s.zeros) },
    };
    for (auto& [k, label] : statLabels_)
        label->setText(text.at(k));
    histogram_->setHistogram(tensor_ ? shownText(tensor_->info.name) : QString(), s);
}

void TensorPanel::showStatsError(const QString& message)
{
    histogram_->clear(message);
    for (auto& [_, label] : statLabels_)
        label->setText(QStringLiteral("?"));
}

void TensorPanel::rebuildSliceControls()
{
    updating_ = true;
    rowAxis_->clear();
    colAxis_->clear();
    for (auto* s : indexSpins_) {
        sliceBar_->removeWidget(s);
        delete s;
    }
    indexSpins_.clear();
    const int rank = tensor_ ? int(tensor_->info.shape.size()) : 0;
    rowAxis_->setEnabled(rank >= 2);
    colAxis_->setEnabled(rank >= 2);
    for (int a = 0; a < rank; ++a) {
        const QString label = tr("axis %1 (%2)").arg(a).arg(tensor_->info.shape[std::size_t(a)]);
        rowAxis_->addItem(label);
        colAxis_->addItem(label);
        auto* spin = new QSpinBox(this);
        spin->setPrefix(tr("axis %1 = ").arg(a));
        spin->setRange(0,
            int(std::max<std::int64_t>(0, std::min<std::int64_t>(tensor_->info.shape[std::size_t(a)] - 1, INT_MAX))));
        spin->setToolTip(tr("Index of axis %1 for the slice").arg(a));
        connect(spin, &QSpinBox::valueChanged, this, [this] { applySliceControls(); });
        sliceBar_->insertWidget(sliceBar_->count() - 1, spin);
        indexSpins_.push_back(spin);
    }
    rowAxis_->setCurrentIndex(slice_->rowAxis());
    colAxis_->setCurrentIndex(slice_->colAxis());
    for (int a = 0; a < rank; ++a)
        indexSpins_[std::size_t(a)]->setVisible(a != slice_->rowAxis() && a != slice_->colAxis());
    updating_ = false;
}

void TensorPanel::applySliceControls()
{
    if (updating_ || !tensor_)
        return;
    int row = rowAxis_->currentIndex(), col = colAxis_->currentIndex();
    const int rank = int(tensor_->info.shape.size());
    if (rank >= 2 && row == col)
        col = (row + 1) % rank; // the two displayed axes must differ
    std::vector<std::int64_t> fixed(std::size_t(rank), 0);
    for (int a = 0; a < rank; ++a)
        fixed[std::size_t(a)] = indexSpins_[std::size_t(a)]->value();
    setSlice(rank >= 1 ? row : -1, rank >= 2 ? col : -1, fixed);
}

// A slice larger than a view lists is shown as a window: say which part, and let the user move it.
void TensorPanel::updateWindowBar()
{
    const bool windowed
        = slice_->totalRows() > SliceTableModel::kMaxRows || slice_->totalColumns() > SliceTableModel::kMaxColumns;
    windowBar_->setVisible(windowed);
    if (!windowed)
        return;
    const QLocale locale;
    windowNote_->setText(
        tr("Showing rows %1–%2 of %3, columns %4–%5 of %6.")
            .arg(locale.toString(slice_->firstRow()), locale.toString(slice_->firstRow() + slice_->rowCount() - 1),
                locale.toString(slice_->totalRows()), locale.toString(slice_->firstColumn()),
                locale.toString(slice_->firstColumn() + slice_->columnCount() - 1),
                locale.toString(slice_->totalColumns())));
    firstRowEdit_->setText(QString::number(slice_->firstRow()));
    firstColumnEdit_->setText(QString::number(slice_->firstColumn()));
}

void TensorPanel::applyWindowStart()
{
    slice_->setWindowStart(firstRowEdit_->text().toLongLong(), firstColumnEdit_->text().toLongLong());
    updateWindowBar();
    updateHeatmap();
}

void TensorPanel::updateHeatmap()
{
    ckpt::SliceHeatmapRequest r;
    r.rowAxis = slice_->rowAxis();
    r.colAxis = slice_->colAxis();
    r.fixed = slice_->fixedIndices();
    r.firstRow = slice_->firstRow();
    r.firstColumn = slice_->firstColumn();
    const bool kernels = tensor_ && ckpt::kernelLayout(tensor_->info.shape) != ckpt::KernelLayout::None;
    heatmap_->setSlice(tensor_ ? session_.data() : nullptr, tensor_ ? tensorIndex_ : -1, r, kernels);
}

void TensorPanel::showValues()
{
    tabs_->setCurrentWidget(valuesPage_);
}

void TensorPanel::setSlice(int rowAxis, int colAxis, const std::vector<std::int64_t>& fixedIndices)
{
    slice_->setSlice(rowAxis, colAxis, fixedIndices);
    updateWindowBar();
    updateHeatmap();
    updating_ = true;
    if (rowAxis >= 0)
        rowAxis_->setCurrentIndex(rowAxis);
    if (colAxis >= 0)
        colAxis_->setCurrentIndex(colAxis);
    for (std::size_t a = 0; a < indexSpins_.size(); ++a) {
        indexSpins_[a]->setValue(int(fixedIndices[a]));
        indexSpins_[a]->setVisible(int(a) != rowAxis && int(a) != colAxis);
    }
    updating_ = false;
}

void TensorPanel::copySelection() const
{
    const auto ranges = table_->selectionModel() ? table_->selectionModel()->selection() : QItemSelection();
    if (ranges.isEmpty())
        return;
    const auto& r = ranges.first();
    QString text;
    for (int row = r.top(); row <= r.bottom(); ++row) {
        QStringList cells;
        for (int col = r.left(); col <= r.right(); ++col)
            cells << slice_->data(slice_->index(row, col)).toString();
        text += cells.join(QLatin1Char('\t')) + QLatin1Char('\n');
    }
    QApplication::clipboard()->setText(text);
}
