#pragma once

#include <QLineEdit>

#include <optional>

// A field for rtol or atol (the Compare and Verify tabs): scientific notation parsed as the CLI
// parses it (C locale), a tooltip with the rule, the value or nothing when it is not a number ≥ 0.
class ToleranceEdit : public QLineEdit {
    Q_OBJECT
public:
    ToleranceEdit(double value, QWidget* parent);
    std::optional<double> value() const;
    void setValue(double value);
    static QString textOf(double value); // as the field shows it: 6 significant digits
    // "rtol must be a number ≥ 0, not “x”", or empty when the value is good.
    QString problem(const QString& name) const;
};
