#include "ToleranceEdit.h"

#include <QDoubleValidator>
#include <QLocale>

ToleranceEdit::ToleranceEdit(double value, QWidget* parent)
    : QLineEdit(textOf(value), parent)
{
    auto* validator = new QDoubleValidator(0, 1e300, 20, this);
    validator->setNotation(QDoubleValidator::ScientificNotation);
    validator->setLocale(QLocale::c()); // the text is parsed as the CLI parses it
    setValidator(validator);
    setMaximumWidth(90);
    setToolTip(tr("Equal within tolerance: |a − b| ≤ atol + rtol·|b|"));
}

std::optional<double> ToleranceEdit::value() const
{
    bool ok = false;
    const double v = text().toDouble(&ok);
    return ok && v >= 0 ? std::optional<double>(v) : std::nullopt;
}

QString ToleranceEdit::problem(const QString& name) const
{
    return value() ? QString() : tr("%1 must be a number ≥ 0, not “%2”").arg(name, text());
}

void ToleranceEdit::setValue(double value)
{
    setText(textOf(value));
}

QString ToleranceEdit::textOf(double value)
{
    return QString::number(value, 'g', 6);
}
