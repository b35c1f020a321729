#pragma once

#include "model/Architecture.h"

#include <QStringList>
#include <QWidget>

class QLabel;
class QTableWidget;

// The layers a file describes (core/model/Architecture.h), one row each: index, name, type,
// main settings and the tensors it uses. Choosing a row asks for its tensors to be selected.
class ArchitectureView : public QWidget {
    Q_OBJECT
public:
    enum Column { Index, Name, Type, Settings, Tensors, ColumnCount };

    explicit ArchitectureView(QWidget* parent = nullptr);
    // Null: the file carries no architecture, and the view says so.
    void show(const ckpt::Architecture* architecture);
    QTableWidget* table() const { return table_; }
    QString summaryText() const;

signals:
    void tensorsChosen(const QStringList& names);

private:
    void addLayer(int index, const ckpt::ArchitectureLayer& layer);
    void emitChosenTensors();

    QLabel* summary_;
    QTableWidget* table_;
};
