#include "DiffTableModel.h"

#include "NumberText.h"
#include "ShownText.h"

#include <QGuiApplication>
#include <QPalette>

#include <cmath>
#include <limits>

namespace {

QColor mixed(const QColor& base, const QColor& tint, double amount)
{
    return QColor::fromRgbF(float(base.redF() * (1 - amount) + tint.redF() * amount),
        float(base.greenF() * (1 - amount) + tint.greenF() * amount),
        float(base.blueF() * (1 - amount) + tint.blueF() * amount));
}

QString tensorText(const ckpt::Tensor* t)
{
    return t
        ? shownText(t->info.name) + QStringLiteral("  ") + QString::fromLatin1(ckpt::dtypeName(t->info.dtype).data())
            + QStringLiteral(" ") + shapeText(t->info.shape)
        : QStringLiteral("—");
}

// "45.18 dB"; equal values have no noise: "∞".
QString sqnrText(double db)
{
    return std::isinf(db) && db > 0 ? QStringLiteral("∞") : QStringLiteral("%1 dB").arg(db, 0, 'f', 2);
}

} // namespace

DiffTableModel::DiffTableModel(QObject* parent)
    : QAbstractTableModel(parent)
{
}

void DiffTableModel::setReport(
    std::shared_ptr<const ckpt::Checkpoint> a, std::shared_ptr<const ckpt::Checkpoint> b, ckpt::DiffReport report)
{
    beginResetModel();
    a_ = std::move(a);
    b_ = std::move(b);
    report_ = std::move(report);
    endResetModel();
}

void DiffTableModel::clear()
{
    setReport(nullptr, nullptr, {});
}

const ckpt::TensorDiff* DiffTableModel::diff(int row) const
{
    return row >= 0 && row < int(report_.tensors.size()) ? &report_.tensors[std::size_t(row)] : nullptr;
}

int DiffTableModel::rowOf(const QString& name) const
{
    const std::string n = name.toStdString();
    for (std::size_t i = 0; i < report_.tensors.size(); ++i)
        if (report_.tensors[i].name == n)
            return int(i);
    return -1;
}

int DiffTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(report_.tensors.size());
}

int DiffTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

bool DiffTableModel::hasValues(const ckpt::TensorDiff& d)
{
    return d.a && d.b && d.status != ckpt::DiffStatus::ShapeChanged;
}

QString DiffTableModel::pairingText(const ckpt::TensorDiff& d)
{
    if (!d.a || !d.b)
        return QStringLiteral("—");
    QString how;
    switch (d.pairedBy) {
    case ckpt::DiffPairing::Name:
        how = tr("by name");
        break;
    case ckpt::DiffPairing::LayerPosition:
        how = tr("by position");
        break;
    case ckpt::DiffPairing::LlamaCppName:
        how = tr("by llama.cpp name");
        break;
    }
    if (d.layout.ropeHeads > 0)
        how = tr("%1, un-permuted").arg(how); // the head count in the tooltip: the cell stays short
    return d.layout.transposed ? tr("%1, transposed").arg(how) : how;
}

bool DiffTableModel::differs(ckpt::DiffStatus s)
{
    return s != ckpt::DiffStatus::Identical && s != ckpt::DiffStatus::WithinTolerance;
}

QVariant DiffTableModel::data(const QModelIndex& index, int role) const
{
    const ckpt::TensorDiff* d = index.isValid() ? diff(index.row()) : nullptr;
    if (!d)
        return {};
    const bool values = hasValues(*d);
    const double numbers[] = { d->maxAbsDiff, d->sqnrDb, d->cosine, d->meanAbsDiff, d->relativeL2 }; // column order
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Name:
            return shownText(d->name);
        case NameB:
            return d->b ? shownText(d->b->info.name) : QStringLiteral("—");
        case Pairing:
            return pairingText(*d);
        case Status:
            return QString::fromLatin1(ckpt::diffStatusName(d->status).data());
        case Sqnr:
            return values ? sqnrText(d->sqnrDb) : QStringLiteral("—");
        default:
            return values ? floatText(numbers[index.column() - MaxAbsDiff]) : QStringLiteral("—");
        }
    case SortRole:
        switch (index.column()) {
        case Name:
            return QString::fromStdString(d->name);
        case NameB:
            return d->b ? QString::fromStdString(d->b->info.name) : QString();
        case Pairing:
            return pairingText(*d);
        case Status:
            return int(d->status);
        default:
            return values ? numbers[index.column() - MaxAbsDiff]
                          : -std::numeric_limits<double>::infinity(); // no number sorts below any (SQNR can be < 0)
        }
    case StatusRole:
        return int(d->status);
    case Qt::TextAlignmentRole:
        return index.column() >= MaxAbsDiff ? QVariant(int(Qt::AlignRight | Qt::AlignVCenter)) : QVariant();
    case Qt::BackgroundRole: {
        if (!differs(d->status))
            return {};
        const QColor base = QGuiApplication::palette().color(QPalette::Base);
        const bool dark = base.lightness() < 128;
        QColor tint;
        switch (d->status) {
        case ckpt::DiffStatus::Changed:
            tint = QColor(220, 50, 47);
            break;
        case ckpt::DiffStatus::OnlyInA:
        case ckpt::DiffStatus::OnlyInB:
            tint = QColor(38, 139, 210);
            break;
        default:
            tint = QColor(203, 140, 20);
            break; // shape or dtype changed
        }
        return mixed(base, tint, dark ? 0.35 : 0.22);
    }
    case Qt::ToolTipRole: {
        QString tip = QStringLiteral("A: ") + tensorText(d->a) + QStringLiteral("\nB: ") + tensorText(d->b);
        if (d->layout.transposed)
            tip += tr("\nB compared transposed");
        if (d->layout.ropeHeads > 0)
            tip += tr("\nQ/K rows un-permuted as llama.cpp stores them (%1 heads)").arg(d->layout.ropeHeads);
        if (values)
            tip += tr("\nSQNR against %1").arg(d->referenceIsA ? tr("A") : tr("B"));
        if (values)
            tip += tr("\n%1 element(s) outside the tolerance").arg(groupedCount(d->mismatched))
                + (d->bitwiseEqual ? tr("; bitwise equal") : QString());
        return tip;
    }
    default:
        return {};
    }
}

QVariant DiffTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Name:
        return tr("Name (A)");
    case NameB:
        return tr("Name in B");
    case Pairing:
        return tr("Paired");
    case Status:
        return tr("Status");
    case MaxAbsDiff:
        return tr("Max abs diff");
    case MeanAbsDiff:
        return tr("Mean abs diff");
    case RelativeL2:
        return tr("Rel L2");
    case Sqnr:
        return tr("SQNR");
    case Cosine:
        return tr("Cosine");
    }
    return {};
}
