#pragma once

#include "timeline/RunPlan.h"

#include <qcustomplot.h>

// Axis ticks of a run's plots, as many as fit in `pixels` without the labels touching: the
// steps (labelled with their step numbers) and the tensors' names (elided in the middle to at
// most `nameWidth` pixels). Every k-th one when they do not all fit; hovering names the rest.
QSharedPointer<QCPAxisTickerText> stepTicker(const ckpt::RunPlan& plan, int pixels, const QFont& font);
QSharedPointer<QCPAxisTickerText> nameTicker(
    const std::vector<QString>& names, int pixels, int nameWidth, const QFont& font);

// Sets `ticker` on `axis` unless it has ticks at the same places already; whether it changed.
// Called after a plot's layout (when the axis rect has its real size): a change needs another replot.
bool replaceTicker(QCPAxis* axis, const QSharedPointer<QCPAxisTickerText>& ticker);
