#pragma once

namespace ckpt {

// Instruction-set extensions the processor and the operating system both support, asked once.
// Kernels that use them are compiled with a `target` attribute and chosen at run time, so one
// binary runs everywhere.
bool cpuHasF16c(); // AVX + F16C: float16 <-> float32, eight at a time
bool cpuHasAvx2Fma(); // AVX2 + FMA: 256-bit integer and fused multiply-add

} // namespace ckpt
