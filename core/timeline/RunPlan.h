#pragma once

#include <optional>
#include <string>
#include <vector>

namespace ckpt {

struct Checkpoint;

// How the checkpoints of a run are put in order: by the number in their file or folder name
// (epoch_12.pt, step-3000.safetensors, checkpoint-500/, model.ckpt-1000), by an epoch / step /
// global_step value in their metadata, or by modification time. Auto takes the first rule that
// gives every checkpoint a distinct step.
enum class StepOrder { Auto, Name, Meta, Mtime };

struct RunMember {
    std::string path;
    std::string label; // the file or folder name
    double step = 0; // by the rule used (mtime: seconds since the epoch)
};

struct RunPlan {
    std::vector<RunMember> members; // in step order
    StepOrder order = StepOrder::Auto; // the rule used (never Auto)
    std::string orderWhy; // the rule in words, for the user
    // Entries of a folder that are not checkpoints (or parts of one), with the reason.
    std::vector<std::pair<std::string, std::string>> skipped;
};

// The checkpoints of a run: each path is a checkpoint file or folder, or a folder of them (its
// entries, hidden ones and TensorFlow data shards of a listed index apart). Entries of a folder
// that do not open are listed in `skipped`; a path given explicitly that does not open throws
// CheckpointError. Throws std::invalid_argument when `order` cannot order them (say, Name when
// a name has no number) and when there is no checkpoint at all.
RunPlan planRun(const std::vector<std::string>& paths, StepOrder order = StepOrder::Auto);

// The step in a file or folder name: its last number ("epoch_12.pt" 12, "model.ckpt-1000.index"
// 1000, "checkpoint-500" 500); none when it has no digit.
std::optional<double> stepInName(const std::string& name);

// The step a checkpoint's metadata records: global_step, else step, else epoch (a key of that
// name at any depth, "trainer_state/global_step" included); none when there is none.
std::optional<double> stepInMetadata(const std::string& path);
// The same of a checkpoint already open.
std::optional<double> stepInMetadata(const Checkpoint& checkpoint);

// A tensor's name without what training wraps around it: "module." (DataParallel / DDP),
// "_orig_mod." (torch.compile), and the "model_state_dict.", "state_dict." and "model."
// prefixes of training checkpoints, as often as they repeat.
std::string unwrappedName(std::string name);

} // namespace ckpt
