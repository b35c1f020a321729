#pragma once

#include "timeline/Timeline.h"

#include <QCoreApplication>
#include <QString>

#include <array>

// The fields of ckpt::StepMetrics a view can plot, in the order `ckpt timeline --csv` lists
// them, with a name for the user. Reading a field is all this does: the numbers are the core's.
struct StepMetricField {
    const char* key; // as in the CLI's CSV and JSON
    const char* label; // for a combo box or an axis
    double (*value)(const ckpt::StepMetrics&);
};

inline const std::array<StepMetricField, 13>& stepMetricFields()
{
    using M = ckpt::StepMetrics;
    static const std::array<StepMetricField, 13> fields { {
        { "l2", QT_TRANSLATE_NOOP("StepMetric", "L2 norm"), [](const M& m) { return m.l2; } },
        { "mean", QT_TRANSLATE_NOOP("StepMetric", "mean"), [](const M& m) { return m.mean; } },
        { "std", QT_TRANSLATE_NOOP("StepMetric", "standard deviation"), [](const M& m) { return m.std; } },
        { "min", QT_TRANSLATE_NOOP("StepMetric", "minimum"), [](const M& m) { return m.min; } },
        { "max", QT_TRANSLATE_NOOP("StepMetric", "maximum"), [](const M& m) { return m.max; } },
        { "max_abs", QT_TRANSLATE_NOOP("StepMetric", "max |x|"), [](const M& m) { return m.maxAbs; } },
        { "zero_fraction", QT_TRANSLATE_NOOP("StepMetric", "fraction of zeros"),
            [](const M& m) { return m.zeroFraction; } },
        { "nan", QT_TRANSLATE_NOOP("StepMetric", "NaN count"), [](const M& m) { return double(m.nan); } },
        { "inf", QT_TRANSLATE_NOOP("StepMetric", "Inf count"), [](const M& m) { return double(m.inf); } },
        { "change_previous", QT_TRANSLATE_NOOP("StepMetric", "change from the previous step"),
            [](const M& m) { return m.changePrevious; } },
        { "change_first", QT_TRANSLATE_NOOP("StepMetric", "change from the first step"),
            [](const M& m) { return m.changeFirst; } },
        { "cosine_previous", QT_TRANSLATE_NOOP("StepMetric", "cosine to the previous step"),
            [](const M& m) { return m.cosinePrevious; } },
        { "cosine_first", QT_TRANSLATE_NOOP("StepMetric", "cosine to the first step"),
            [](const M& m) { return m.cosineFirst; } },
    } };
    return fields;
}

inline QString stepMetricLabel(const StepMetricField& f)
{
    return QCoreApplication::translate("StepMetric", f.label);
}
