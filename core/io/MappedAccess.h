#pragma once

#include <type_traits>

namespace ckpt {

// Reading a memory-mapped file raises SIGBUS when the file is truncated underneath us (a
// training run saving over the checkpoint being viewed). Runs fn, which reads mapped bytes;
// returns false when such a read faulted, instead of letting the process die.
// fn must not throw and must not own resources (it is left by a long jump when it faults).
bool runMappedAccess(void (*fn)(void*), void* context);

template <typename F> bool runMappedAccess(F&& fn)
{
    return runMappedAccess([](void* f) { (*static_cast<std::remove_reference_t<F>*>(f))(); }, &fn);
}

} // namespace ckpt
