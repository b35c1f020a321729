#pragma once

#include "timeline/StepDistribution.h"
#include "timeline/Timeline.h"

#include <nlohmann/json.hpp>

#include <ostream>

namespace ckpt {

// The run as JSON: how it was ordered, its steps, the skipped entries, every tensor's metrics
// per step (null where a value is not defined), the events and the summary.
nlohmann::ordered_json timelineJson(const RunTimeline& run);

// One row per tensor per step it is in, with a header row: loads straight into pandas.
void writeTimelineCsv(const RunTimeline& run, std::ostream& out);

// A tensor's distribution over steps, one row per step it is in and bin:
// step_index,step,file,bin_low,bin_high,count,nonfinite (the step's NaN/Inf, repeated per row).
void writeDistributionCsv(const RunTimeline& run, const StepDistribution& d, std::ostream& out);
// The same as JSON: the edges, and per step the counts (null where the tensor is absent).
nlohmann::ordered_json distributionJson(const RunTimeline& run, const StepDistribution& d);

// The summary in a few lines of text: order, steps, first NaN/Inf, most and least changed, events.
void writeTimelineSummary(const RunTimeline& run, std::ostream& out);

} // namespace ckpt
