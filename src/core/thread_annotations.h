// Clang thread-safety annotations (checked by the clang-tsa preset, -Wthread-safety).
// No-ops on other compilers. Use with tailor::Mutex (core/mutex.h): libstdc++'s
// std::mutex is not annotated, so the analysis cannot see through it.
#pragma once

#if defined(__clang__)
#define TAILOR_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define TAILOR_THREAD_ANNOTATION(x)
#endif

#define TAILOR_CAPABILITY(x) TAILOR_THREAD_ANNOTATION(capability(x))
#define TAILOR_SCOPED_CAPABILITY TAILOR_THREAD_ANNOTATION(scoped_lockable)
#define GUARDED_BY(x) TAILOR_THREAD_ANNOTATION(guarded_by(x))
#define PT_GUARDED_BY(x) TAILOR_THREAD_ANNOTATION(pt_guarded_by(x))
#define REQUIRES(...) TAILOR_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define EXCLUDES(...) TAILOR_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
#define ACQUIRE(...) TAILOR_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define RELEASE(...) TAILOR_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define NO_THREAD_SAFETY_ANALYSIS TAILOR_THREAD_ANNOTATION(no_thread_safety_analysis)
