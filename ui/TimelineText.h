#pragma once

#include "timeline/Timeline.h"

#include <QString>

// Words and labels for a run's timeline, shared by the Timeline tab's plots and its summary.

// The label of a step on an axis: its number (epoch 12, step 3000), or the file's name when the
// run is ordered by modification time (seconds since 1970 mean nothing on an axis).
QString stepLabel(const ckpt::RunPlan& plan, std::size_t step);
// The step and its file, for hovers and tooltips: "step 10 (epoch_10.npz)".
QString stepDescription(const ckpt::RunPlan& plan, std::size_t step);

// One line: the ordering rule, the checkpoints, the skipped entries, the first NaN/Inf, the events.
QString timelineSummary(const ckpt::RunTimeline& run);
// The details behind it (each skipped entry with its reason, each event), for a tooltip.
QString timelineDetails(const ckpt::RunTimeline& run);
