#pragma once

#include <hdf5.h>

#include <mutex>
#include <string>
#include <utility>

namespace ckpt::hdf5 {

// libhdf5 is not built thread-safe on Debian: every call goes through this lock.
std::recursive_mutex& mutex();

// In a child forked while this thread held the lock: a fresh, unlocked lock. A recursive mutex
// records its owner's thread id, which the child does not have, so the inherited one would block.
void renewMutexInForkedChild();

// Silences libhdf5's own error printing (once per process).
void quietErrors();

// The innermost message of libhdf5's current error stack ("truncated file: eof = ...").
std::string lastError();

// Owns one HDF5 identifier and closes it with the right H5*close.
class Handle {
public:
    Handle() = default;
    explicit Handle(hid_t id)
        : id_(id)
    {
    }
    ~Handle() { reset(); }
    Handle(Handle&& o) noexcept
        : id_(std::exchange(o.id_, H5I_INVALID_HID))
    {
    }
    Handle& operator=(Handle&& o) noexcept
    {
        if (this != &o) {
            reset();
            id_ = std::exchange(o.id_, H5I_INVALID_HID);
        }
        return *this;
    }
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;

    hid_t get() const { return id_; }
    explicit operator bool() const { return id_ >= 0; }
    void reset();

private:
    hid_t id_ = H5I_INVALID_HID;
};

} // namespace ckpt::hdf5
