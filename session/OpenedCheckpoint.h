#pragma once

#include "model/Architecture.h"
#include "tensor/Checkpoint.h"
#include "tensor/CheckpointTree.h"

#include <QString>

#include <memory>

// A checkpoint the app has open: the core's metadata and hierarchy, shared by every view.
struct OpenedCheckpoint {
    std::shared_ptr<const ckpt::Checkpoint> checkpoint;
    std::shared_ptr<const ckpt::CheckpointTree> tree;
    QString path; // what the user opened
    QString displayName; // file name, or "demo" for the embedded demo
    qint64 fileSize = 0;
    std::shared_ptr<const ckpt::Architecture> architecture; // the layers it describes, null when none
    QString unsafeContent; // what loading it in Python would run (ckpt::scanFile), "" when nothing
};
