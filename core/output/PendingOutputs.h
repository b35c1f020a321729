#pragma once

namespace ckpt {

// Temporary output files that are still being written (AtomicOutput registers them), so that
// an interrupted process (Ctrl+C, kill) removes them instead of leaving partial files behind.
// The target files are never touched: they are replaced only by a completed rename.
void registerPendingOutput(const char* path);
void unregisterPendingOutput(const char* path);

// Installs SIGINT/SIGTERM/SIGHUP handlers that delete the pending temporary files and then
// let the signal end the process as it would have; ignores SIGXFSZ, so that a write past the
// file size limit fails with EFBIG and the export reports it.
void removePendingOutputsOnSignals();

} // namespace ckpt
