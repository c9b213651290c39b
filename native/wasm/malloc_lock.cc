// wasi-libc as Debian ships it is built without threads, so its malloc takes no lock. The threaded
// WebAssembly build links with --wrap for each allocator entry point, and these wrappers hold one
// spin lock around the real ones: the kernels allocate rarely (scratch buffers grow to their
// largest size once), so contention is negligible.
#include <atomic>
#include <cstddef>

extern "C" {
void* __real_malloc(size_t);
void __real_free(void*);
void* __real_calloc(size_t, size_t);
void* __real_realloc(void*, size_t);
void* __real_aligned_alloc(size_t, size_t);
int __real_posix_memalign(void**, size_t, size_t);
}

namespace {
std::atomic<int> held{0};
struct Lock {
  Lock() {
    for (int free = 0; !held.compare_exchange_weak(free, 1, std::memory_order_acquire); free = 0) {
    }
  }
  ~Lock() { held.store(0, std::memory_order_release); }
};
}  // namespace

extern "C" {
void* __wrap_malloc(size_t n) {
  Lock l;
  return __real_malloc(n);
}
void __wrap_free(void* p) {
  Lock l;
  __real_free(p);
}
void* __wrap_calloc(size_t n, size_t size) {
  Lock l;
  return __real_calloc(n, size);
}
void* __wrap_realloc(void* p, size_t n) {
  Lock l;
  return __real_realloc(p, n);
}
void* __wrap_aligned_alloc(size_t align, size_t n) {
  Lock l;
  return __real_aligned_alloc(align, n);
}
int __wrap_posix_memalign(void** p, size_t align, size_t n) {
  Lock l;
  return __real_posix_memalign(p, align, n);
}
}
