#pragma once

#include "tensor/Checkpoint.h"

#include <QTreeWidget>

#include <nlohmann/json.hpp>

// Attributes and non-tensor values (HDF5 attributes, safetensors __metadata__, a training
// checkpoint's epoch and loss, a Keras or Hugging Face config) of the file, or of one group when
// a prefix is given: objects and arrays, JSON held in strings included, unfold as a tree. Ctrl+C
// and the context menu copy a value, or a whole subtree as JSON.
class MetadataView : public QTreeWidget {
    Q_OBJECT
public:
    explicit MetadataView(QWidget* parent = nullptr);
    void show(const ckpt::Checkpoint* checkpoint, const QString& groupPrefix = {});

    int rowCount() const { return topLevelItemCount(); } // entries at the top level
    QString text(int row, int column) const; // of a top-level entry
    QString jsonOf(const QTreeWidgetItem* item) const; // the entry's value as indented JSON

    static constexpr int kMaxChildren = 1000; // per object or array; the rest is counted
    static constexpr int kMaxDepth = 32;

private:
    void addValue(QTreeWidgetItem* item, const nlohmann::ordered_json& value, int depth);
    void copySelection() const;
    void showMenu(const QPoint& position);

    nlohmann::ordered_json shown_;
};
