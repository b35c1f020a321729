#include "Commands.h"
#include "OpenOrFail.h"

#include "report/PrintableText.h"
#include "report/Reports.h"
#include "tensor/CheckpointTree.h"

#include <iostream>

namespace {
void printNode(const ckpt::Checkpoint& c, const ckpt::TreeNode& node, const std::string& indent)
{
    for (const auto& child : node.children) {
        std::cout << indent << ckpt::printable(child->name);
        if (child->isTensor()) {
            const auto& info = c.tensors[static_cast<std::size_t>(child->tensorIndex)].info;
            std::cout << "  " << ckpt::dtypeName(info.dtype) << " " << ckpt::shapeToString(info.shape);
        }
        if (!child->children.empty() || !child->isTensor())
            std::cout << "  [" << child->tensorCount << " tensors]";
        std::cout << "  " << ckpt::groupedNumber(child->parameterCount) << " params, "
                  << ckpt::humanBytes(child->nbytes) << "\n";
        printNode(c, *child, indent + "  ");
    }
}
} // namespace

void addTreeCommand(CLI::App& app, CommandAction& run)
{
    auto file = std::make_shared<std::string>();
    auto* cmd = app.add_subcommand("tree", "Show the layer hierarchy with parameter counts and sizes");
    cmd->add_option("FILE", *file, "Checkpoint file")->required();
    cmd->callback([file, &run] {
        run = [file] {
            const auto c = openOrFail(*file);
            const ckpt::CheckpointTree tree(c);
            std::cout << ckpt::printable(c.path) << " (" << c.format << "): " << tree.root().tensorCount << " tensors, "
                      << ckpt::groupedNumber(tree.root().parameterCount) << " params, "
                      << ckpt::humanBytes(tree.root().nbytes) << "\n";
            printNode(c, tree.root(), "  ");
            return exitcode::ok;
        };
    });
}
