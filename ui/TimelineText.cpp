#include "TimelineText.h"

#include "ShownText.h"

#include <QCoreApplication>
#include <QStringList>

namespace {

QString tr(const char* text, int n = -1)
{
    return QCoreApplication::translate("TimelineText", text, nullptr, n);
}

QString fileName(const ckpt::RunPlan& plan, std::size_t step)
{
    return shownText(plan.members[step].label);
}

// At most `shown` names, then how many more.
QString someNames(const std::vector<std::string>& names, int shown)
{
    QStringList out;
    for (std::size_t i = 0; i < names.size() && int(i) < shown; ++i)
        out << shownText(names[i]);
    if (int(names.size()) > shown)
        out << tr("%1 more").arg(int(names.size()) - shown);
    return out.join(QStringLiteral(", "));
}

// "1 checkpoint", "3 checkpoints": the app ships no translations, so %n alone does not choose.
QString counted(int n, const char* one, const char* many)
{
    return n == 1 ? tr(one) : tr(many).arg(n);
}

// The first events in words, then how many more (all of them are in the details).
QString someEvents(const ckpt::RunTimeline& run, int shown)
{
    QStringList out;
    for (std::size_t i = 0; i < run.events.size() && int(i) < shown; ++i) {
        const ckpt::TimelineEvent& e = run.events[i];
        out << tr("%1 %2 at %3").arg(shownText(e.tensor), shownText(e.what), stepDescription(run.plan, e.step));
    }
    if (int(run.events.size()) > shown)
        out << counted(int(run.events.size()) - shown, "1 more event", "%1 more events");
    return out.join(QStringLiteral(", "));
}

} // namespace

QString stepLabel(const ckpt::RunPlan& plan, std::size_t step)
{
    if (plan.order == ckpt::StepOrder::Mtime)
        return fileName(plan, step);
    return QString::number(plan.members[step].step, 'g', 12);
}

QString stepDescription(const ckpt::RunPlan& plan, std::size_t step)
{
    if (plan.order == ckpt::StepOrder::Mtime)
        return tr("step %1 (%2)").arg(step + 1).arg(fileName(plan, step));
    return tr("step %1 (%2)").arg(stepLabel(plan, step), fileName(plan, step));
}

QString timelineSummary(const ckpt::RunTimeline& run)
{
    const ckpt::RunPlan& plan = run.plan;
    QStringList parts;
    const QString read = run.stepsNotYetRead > 0
        ? tr("%1 of %2 checkpoints read so far").arg(plan.members.size()).arg(plan.members.size() + run.stepsNotYetRead)
        : counted(int(plan.members.size()), "1 checkpoint", "%1 checkpoints");
    parts << read + tr(", ordered ") + QString::fromStdString(plan.orderWhy);
    if (run.stepsFromCache > 0)
        parts << tr("%1 of %2 from the cache").arg(run.stepsFromCache).arg(plan.members.size());
    if (!plan.skipped.empty())
        parts << counted(
            int(plan.skipped.size()), "1 entry skipped (hover for why)", "%1 entries skipped (hover for why)");
    if (run.firstNonFiniteStep)
        parts << tr("first NaN/Inf at %1 in %2")
                     .arg(stepDescription(plan, *run.firstNonFiniteStep), someNames(run.nonFiniteTensors, 3));
    else
        parts << (run.stepsNotYetRead > 0 ? tr("no NaN or Inf so far") : tr("no NaN or Inf"));
    if (!run.events.empty())
        parts << someEvents(run, 2);
    return parts.join(QStringLiteral(" · "));
}

QString timelineDetails(const ckpt::RunTimeline& run)
{
    const ckpt::RunPlan& plan = run.plan;
    QStringList lines;
    for (std::size_t s = 0; s < plan.members.size(); ++s)
        lines << stepDescription(plan, s);
    for (const auto& [path, reason] : plan.skipped)
        lines << tr("skipped %1: %2").arg(shownText(path), shownText(reason));
    for (const ckpt::TimelineEvent& e : run.events)
        lines << tr("%1: %2 %3").arg(stepDescription(plan, e.step), shownText(e.tensor), shownText(e.what));
    if (run.firstNonFiniteStep)
        lines << tr("NaN/Inf first at %1 in %2")
                     .arg(stepDescription(plan, *run.firstNonFiniteStep), someNames(run.nonFiniteTensors, 20));
    return lines.join(QLatin1Char('\n'));
}
