// Which vector instructions sketching uses.
//
// The default build targets any x86-64 CPU; MinHash and SimHash carry AVX-512 and AVX2 versions of
// their inner loops and use the best one the CPU (and the operating system) supports, chosen once
// per process. A build with LEITONG_NATIVE=ON (-march=native) runs on its own machine only. Every
// path gives the same values: the choice changes speed, never a sketch.
#pragma once

#include <optional>
#include <string_view>

namespace leitong {

enum class SimdPath { kPortable = 0, kAvx2 = 1, kAvx512 = 2 };

// "portable", "avx2" or "avx512".
std::string_view simd_path_name(SimdPath path);
std::optional<SimdPath> parse_simd_path(std::string_view name);

// The best path this CPU supports.
SimdPath best_simd_path();

// The path sketching uses now: the best one, or lower when limited.
SimdPath simd_path();

// Uses at most `path` from now on (to compare paths, or to rule one out); a path above what the
// CPU supports is taken as the best it does. Returns the path now in use. Safe to call from any
// thread; a sketch under way finishes on the path it started with.
SimdPath limit_simd_path(SimdPath path);

}  // namespace leitong
