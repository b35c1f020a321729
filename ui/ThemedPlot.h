#pragma once

#include <qcustomplot.h>

// A QCustomPlot drawn in the widget palette's colours (QCustomPlot's own are fixed black on
// white), so plots stay legible under dark themes; follows palette changes at run time.
class ThemedPlot : public QCustomPlot {
    Q_OBJECT
public:
    explicit ThemedPlot(QWidget* parent = nullptr);
    void applyPalette(); // to every axis rect in the layout (again after adding one)
    // Puts the legend in the corner of the axis rect that its curves cross least (top right when
    // none is crossed), so that it never hides the one curve that matters. Call once the ranges
    // are set, before replot.
    void placeLegendAwayFromData();

protected:
    void changeEvent(QEvent* event) override;
};
