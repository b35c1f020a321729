#pragma once

#include "tensor/Checkpoint.h"

#include <QTableWidget>

// Attributes and non-tensor values (HDF5 attributes, safetensors __metadata__, a training
// checkpoint's epoch and loss) of the file, or of one group when a prefix is given.
class MetadataView : public QTableWidget {
    Q_OBJECT
public:
    explicit MetadataView(QWidget* parent = nullptr);
    void show(const ckpt::Checkpoint* checkpoint, const QString& groupPrefix = {});
};
