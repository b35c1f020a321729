#pragma once

#include <qcustomplot.h>

// A QCustomPlot drawn in the widget palette's colours (QCustomPlot's own are fixed black on
// white), so plots stay legible under dark themes; follows palette changes at run time.
class ThemedPlot : public QCustomPlot {
    Q_OBJECT
public:
    explicit ThemedPlot(QWidget* parent = nullptr);
    void applyPalette(); // to every axis rect in the layout (again after adding one)

protected:
    void changeEvent(QEvent* event) override;
};
