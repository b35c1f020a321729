#include "TensorTableModel.h"

#include "NumberText.h"
#include "ShownText.h"

#include "numerics/PowerLaw.h"

#include <cmath>
#include <limits>

namespace {

constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();

// The number in a cell, NaN when the row has none (no finite values, no spectrum, unreadable).
double numberAt(const ckpt::TensorTableRow& r, int column)
{
    const bool finite = r.error.empty() && r.stats.finite > 0;
    const ckpt::SpectralMetrics* m = r.spectral ? &*r.spectral : nullptr;
    switch (column) {
    case TensorTableModel::Count:
        return double(r.stats.count);
    case TensorTableModel::Min:
        return finite ? r.stats.min : kMissing;
    case TensorTableModel::Max:
        return finite ? r.stats.max : kMissing;
    case TensorTableModel::Mean:
        return finite ? r.stats.mean : kMissing;
    case TensorTableModel::Std:
        return finite ? r.stats.std : kMissing;
    case TensorTableModel::MaxAbs:
        return finite ? r.maxAbs : kMissing;
    case TensorTableModel::L2:
        return finite ? r.l2 : kMissing;
    case TensorTableModel::ZeroFraction:
        return r.error.empty() ? r.zeroFraction : kMissing;
    case TensorTableModel::NaN:
        return r.error.empty() ? double(r.stats.nan) : kMissing;
    case TensorTableModel::Inf:
        return r.error.empty() ? double(r.stats.posInf + r.stats.negInf) : kMissing;
    case TensorTableModel::DenormalFraction:
        return r.denormalFraction();
    case TensorTableModel::BeyondFloat16Fraction:
        return r.beyondFloat16Fraction();
    case TensorTableModel::SpectralNorm:
        return m ? m->spectralNorm : kMissing;
    case TensorTableModel::StableRank:
        return m ? m->stableRank : kMissing;
    case TensorTableModel::EffectiveRank:
        return m && m->fullSpectrum ? m->effectiveRank : kMissing;
    case TensorTableModel::Alpha:
        return m && std::isfinite(m->alpha) ? m->alpha : kMissing;
    case TensorTableModel::AlphaKs:
        return m && std::isfinite(m->alphaKs) ? m->alphaKs : kMissing;
    default:
        return kMissing;
    }
}

QString textAt(const ckpt::TensorTableRow& r, int column)
{
    switch (column) {
    case TensorTableModel::Name:
        return shownText(r.info.name);
    case TensorTableModel::DType:
        return QString::fromLatin1(ckpt::dtypeName(r.info.dtype));
    case TensorTableModel::ShapeColumn:
        return shapeText(r.info.shape);
    case TensorTableModel::Count:
    case TensorTableModel::NaN:
    case TensorTableModel::Inf: {
        const double v = numberAt(r, column);
        return std::isnan(v) ? QString() : groupedCount(qint64(v));
    }
    default: {
        const double v = numberAt(r, column);
        return std::isnan(v) ? QString() : floatText(v);
    }
    }
}

} // namespace

TensorTableModel::TensorTableModel(QObject* parent)
    : QAbstractTableModel(parent)
{
}

void TensorTableModel::setRows(Rows rows)
{
    beginResetModel();
    rows_ = std::move(rows);
    endResetModel();
}

void TensorTableModel::updateRows(Rows rows, int first, int last)
{
    if (!rows || !rows_ || rows->size() != rows_->size())
        return setRows(std::move(rows));
    rows_ = std::move(rows);
    emit dataChanged(index(first, 0), index(last, ColumnCount - 1));
}

const ckpt::TensorTableRow* TensorTableModel::rowAt(int row) const
{
    return rows_ && row >= 0 && row < int(rows_->size()) ? &(*rows_)[std::size_t(row)] : nullptr;
}

int TensorTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() || !rows_ ? 0 : int(rows_->size());
}

int TensorTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant TensorTableModel::data(const QModelIndex& index, int role) const
{
    const ckpt::TensorTableRow* r = rowAt(index.row());
    if (!r)
        return {};
    const int column = index.column();
    const bool text = column == Name || column == DType || column == ShapeColumn;
    switch (role) {
    case Qt::DisplayRole:
        return textAt(*r, column);
    case SortRole:
        if (column == ShapeColumn)
            return double(r->stats.count);
        return text ? QVariant(textAt(*r, column)) : QVariant(numberAt(*r, column));
    case Qt::TextAlignmentRole:
        return text ? QVariant(Qt::AlignLeft | Qt::AlignVCenter) : QVariant(Qt::AlignRight | Qt::AlignVCenter);
    case Qt::ToolTipRole:
        if (!r->error.empty())
            return tr("Cannot be read: %1").arg(shownText(r->error));
        if (column >= SpectralNorm && !r->noSpectrum.empty())
            return tr("No spectral metrics: %1").arg(shownText(r->noSpectrum));
        if (column >= EffectiveRank && r->spectral && !r->spectral->fullSpectrum)
            return tr("Needs every singular value: computed for matrices whose smaller side is at most 512");
        if (column >= Alpha && r->spectral && !std::isfinite(r->spectral->alpha))
            return tr("No power-law fit: fewer than %1 eigenvalues above %2")
                .arg(ckpt::kPowerLawMinEigenvalues)
                .arg(ckpt::kPowerLawEigenvalueFloor);
        if (column == Alpha)
            return tr("Power-law exponent of the eigenvalues of WᵀW, as WeightWatcher fits it: about 2 to 6 in a "
                      "trained layer, below 2 over-trained, above 6 not trained");
        if (column == AlphaKs)
            return tr("Kolmogorov–Smirnov distance of the power-law fit: the smaller, the better α describes the "
                      "spectrum");
        return column == Name ? textAt(*r, column) : QVariant();
    default:
        return {};
    }
}

QVariant TensorTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || (role != Qt::DisplayRole && role != Qt::ToolTipRole))
        return {};
    // Header, and the column's name in filter expressions.
    static const char* const headers[ColumnCount][2] = { { "Name", "name" }, { "dtype", "dtype" }, { "Shape", "shape" },
        { "Count", "count" }, { "Min", "min" }, { "Max", "max" }, { "Mean", "mean" }, { "Std", "std" },
        { "Max |x|", "max_abs" }, { "L2", "l2" }, { "Zeros", "zero_fraction" }, { "NaN", "nan" }, { "±Inf", "inf" },
        { "Denormal", "denormal_fraction" }, { "> float16", "beyond_float16_fraction" },
        { "Spectral norm", "spectral_norm" }, { "Stable rank", "stable_rank" }, { "Effective rank", "effective_rank" },
        { "α", "alpha" }, { "α fit KS", "alpha_ks" } };
    if (section < 0 || section >= ColumnCount)
        return {};
    if (role == Qt::DisplayRole)
        return tr(headers[section][0]);
    return tr("In a filter: %1").arg(QString::fromLatin1(headers[section][1]));
}
