#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace ckpt {

// The checkpoint a model folder holds, when a folder is opened: a Hugging Face model folder
// (config.json beside model.safetensors, pytorch_model.bin, tf_model.h5, flax_model.msgpack or
// their sharded indexes), a TensorFlow SavedModel (saved_model.pb + variables/), a folder with a
// TensorFlow `checkpoint` file, a PyTorch Distributed Checkpoint (.metadata + .distcp files), or a
// folder holding exactly one checkpoint file.
struct FolderChoice {
    std::string path; // the file to open
    std::string why; // "pytorch_model.bin.index.json: the index of a sharded PyTorch checkpoint"
};

// Throws CheckpointError naming the folder when it holds no checkpoint, or several with nothing
// to choose between them (they are listed).
FolderChoice checkpointInFolder(const std::string& folder);

// The scalar entries of a Hugging Face model folder's config.json ("model_type", "hidden_size"),
// or an empty object when it has none (or it is not a small JSON object).
nlohmann::ordered_json modelConfig(const std::string& folder);

} // namespace ckpt
