// Function attributes that compile one function for a wider instruction set than the build's
// (internal). The caller picks the version at run time from simd_path(); a function marked so
// must only run when that path is in use.
#pragma once

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define LEITONG_X86_SIMD 1
#define LEITONG_TARGET_AVX512 __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,avx2,bmi,bmi2,popcnt")))
#define LEITONG_TARGET_AVX2 __attribute__((target("avx2,bmi,bmi2,popcnt")))
// GCC notes that a function returning a 512-bit vector has another ABI where AVX-512 is off; the
// ones here are internal and called only from functions of the same target.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wpsabi"
#endif
#endif
