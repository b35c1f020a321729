#include "TimelineTicks.h"

#include "TimelineText.h"

#include <QFontMetrics>

#include <algorithm>

namespace {

// One label in `every` so that `count` labels of `extent` pixels each fit in `pixels`.
std::size_t every(std::size_t count, int extent, int pixels)
{
    const std::size_t fit = std::size_t(std::max(1, pixels / std::max(1, extent)));
    return count > fit ? (count + fit - 1) / fit : 1;
}

} // namespace

QSharedPointer<QCPAxisTickerText> stepTicker(const ckpt::RunPlan& plan, int pixels, const QFont& font)
{
    const QFontMetrics metrics(font);
    std::vector<QString> labels;
    int widest = 0;
    for (std::size_t s = 0; s < plan.members.size(); ++s) {
        labels.push_back(stepLabel(plan, s));
        widest = std::max(widest, metrics.horizontalAdvance(labels.back()));
    }
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    const std::size_t k = every(labels.size(), widest + metrics.horizontalAdvance(QStringLiteral("  ")), pixels);
    for (std::size_t s = 0; s < labels.size(); s += k)
        ticker->addTick(double(s), labels[s]);
    return ticker;
}

QSharedPointer<QCPAxisTickerText> nameTicker(
    const std::vector<QString>& names, int pixels, int nameWidth, const QFont& font)
{
    const QFontMetrics metrics(font);
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    const std::size_t k = every(names.size(), metrics.height() * 5 / 4, pixels);
    for (std::size_t t = 0; t < names.size(); t += k)
        ticker->addTick(double(t), metrics.elidedText(names[t], Qt::ElideMiddle, nameWidth));
    return ticker;
}

bool replaceTicker(QCPAxis* axis, const QSharedPointer<QCPAxisTickerText>& ticker)
{
    const auto current = axis->ticker().dynamicCast<QCPAxisTickerText>();
    if (current && current->ticks() == ticker->ticks())
        return false;
    axis->setTicker(ticker);
    return true;
}
