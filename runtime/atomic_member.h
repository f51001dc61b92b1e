/*
 * Atomic members of the runtime's shared structs, spelled so that the C
 * sources and the C++ tests that include the same headers see one type of
 * the same size and alignment (GCC lays out _Atomic T and std::atomic<T>
 * alike for the integer and enum types used here).
 */
#ifndef RQ_RUNTIME_ATOMIC_MEMBER_H
#define RQ_RUNTIME_ATOMIC_MEMBER_H

#ifdef __cplusplus
extern "C++" {
#include <atomic>
}
#define RQ_ATOMIC(type) std::atomic<type>
#else
#include <stdatomic.h>
#define RQ_ATOMIC(type) _Atomic type
#endif

#endif
