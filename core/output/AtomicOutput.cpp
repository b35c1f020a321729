#include "output/AtomicOutput.h"

#include "base/CheckpointError.h"
#include "output/PendingOutputs.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>

namespace ckpt {

bool isSameFile(const std::string& a, const std::string& b)
{
    struct stat sa {
    }, sb {};
    return ::stat(a.c_str(), &sa) == 0 && ::stat(b.c_str(), &sb) == 0 && sa.st_dev == sb.st_dev
        && sa.st_ino == sb.st_ino;
}

AtomicOutput::AtomicOutput(std::string target, bool overwrite, const std::vector<std::string>& sources)
    : target_(std::move(target))
{
    for (const auto& s : sources) {
        if (isSameFile(s, target_))
            throw CheckpointError(target_, "refusing to write over the source file");
    }
    struct stat st { };
    if (::stat(target_.c_str(), &st) == 0) {
        if (S_ISDIR(st.st_mode))
            throw CheckpointError(target_, "is a directory");
        if (!overwrite)
            throw CheckpointError(target_, "already exists (use --force to replace it)");
    }
    const std::filesystem::path p(target_);
    const auto dir = p.has_parent_path() ? p.parent_path() : std::filesystem::path(".");
    std::string pattern = (dir / ("." + p.filename().string() + ".tmp.XXXXXX")).string();
    const int fd = ::mkstemp(pattern.data());
    if (fd < 0)
        throw CheckpointError(target_, std::string("cannot create a temporary file: ") + std::strerror(errno));
    ::fchmod(fd, 0644);
    ::close(fd);
    temp_ = pattern;
    registerPendingOutput(temp_.c_str());
}

AtomicOutput::~AtomicOutput()
{
    if (!committed_ && !temp_.empty()) {
        ::unlink(temp_.c_str());
        unregisterPendingOutput(temp_.c_str());
    }
}

void AtomicOutput::commit()
{
    const int fd = ::open(temp_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
    if (::rename(temp_.c_str(), target_.c_str()) != 0)
        throw CheckpointError(
            target_, std::string("cannot rename the temporary file into place: ") + std::strerror(errno));
    committed_ = true;
    unregisterPendingOutput(temp_.c_str());
}

} // namespace ckpt
