/* Linked into the prebuilt addons only (scripts/build-prebuilds.sh), never into source builds.
 *
 * The prebuilds are made with Debian 12's toolchains (glibc 2.36) but must load on Raspberry Pi OS bullseye
 * (glibc 2.31). Linking normally binds these symbols at versions newer than 2.31:
 *   pthread_* (2.34: libpthread merged into libc)   from std::thread, std::call_once, libstdc++'s EH globals
 *   __libc_single_threaded (2.32)                    libstdc++ headers and libstdc++.a (refcount fast path)
 *   fstat64 (2.33)                                   libstdc++.a basic_file.o (std::ifstream in dispatch.cc)
 *   arc4random (2.36)                                libstdc++.a random.o
 * build-prebuilds.sh links with -Wl,--wrap=<sym> for each, so every reference (ours and libstdc++.a's) lands
 * on __wrap_<sym> here, which calls the baseline-version symbol (.symver) that every glibc >= 2.17 exports.
 * (_dl_find_object@2.35, used by the static libgcc_eh unwinder, is avoided by linking libgcc_s dynamically:
 * Node itself has libgcc_s.so.1 as a NEEDED library, so it is always there.)
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
#define MN_GLIBC_BASE "GLIBC_2.2.5"
#define MN_STAT_VER 1
#elif defined(__aarch64__)
#define MN_GLIBC_BASE "GLIBC_2.17"
#define MN_STAT_VER 0
#elif defined(__arm__)
#define MN_GLIBC_BASE "GLIBC_2.4"
#define MN_STAT_VER 3
#else
#error "prebuild-glibc-compat.c: unknown architecture"
#endif

#define MN_OLD(ret, name, params) \
  ret mn_old_##name params;       \
  __asm__(".symver mn_old_" #name "," #name "@" MN_GLIBC_BASE);

MN_OLD(int, pthread_create, (pthread_t *, const pthread_attr_t *, void *(*)(void *), void *))
MN_OLD(int, pthread_detach, (pthread_t))
MN_OLD(int, pthread_join, (pthread_t, void **))
MN_OLD(int, pthread_key_create, (pthread_key_t *, void (*)(void *)))
MN_OLD(int, __pthread_key_create, (pthread_key_t *, void (*)(void *)))
MN_OLD(int, pthread_key_delete, (pthread_key_t))
MN_OLD(void *, pthread_getspecific, (pthread_key_t))
MN_OLD(int, pthread_setspecific, (pthread_key_t, const void *))
MN_OLD(int, pthread_once, (pthread_once_t *, void (*)(void)))
MN_OLD(int, __fxstat64, (int, int, struct stat64 *))

#define MN_VIS __attribute__((visibility("hidden")))

MN_VIS int __wrap_pthread_create(pthread_t *t, const pthread_attr_t *a, void *(*f)(void *), void *arg) {
  return mn_old_pthread_create(t, a, f, arg);
}
MN_VIS int __wrap_pthread_detach(pthread_t t) { return mn_old_pthread_detach(t); }
MN_VIS int __wrap_pthread_join(pthread_t t, void **r) { return mn_old_pthread_join(t, r); }
MN_VIS int __wrap_pthread_key_create(pthread_key_t *k, void (*d)(void *)) { return mn_old_pthread_key_create(k, d); }
MN_VIS int __wrap___pthread_key_create(pthread_key_t *k, void (*d)(void *)) { return mn_old___pthread_key_create(k, d); }
MN_VIS int __wrap_pthread_key_delete(pthread_key_t k) { return mn_old_pthread_key_delete(k); }
MN_VIS void *__wrap_pthread_getspecific(pthread_key_t k) { return mn_old_pthread_getspecific(k); }
MN_VIS int __wrap_pthread_setspecific(pthread_key_t k, const void *v) { return mn_old_pthread_setspecific(k, v); }
MN_VIS int __wrap_pthread_once(pthread_once_t *o, void (*f)(void)) { return mn_old_pthread_once(o, f); }

/* Before 2.33 fstat64 was a libc_nonshared.a stub calling __fxstat64(_STAT_VER, ...): do the same. */
MN_VIS int __wrap_fstat64(int fd, struct stat64 *st) { return mn_old___fxstat64(MN_STAT_VER, fd, st); }

/* 0 = "not known to be single-threaded": libstdc++ then always uses atomic refcounts (correct, and a Node
 * process is multi-threaded anyway). */
MN_VIS char __wrap___libc_single_threaded = 0;

/* std::random_device's arc4random source, via the getrandom syscall (Linux >= 3.17). */
MN_VIS uint32_t __wrap_arc4random(void) {
  uint32_t v = 0;
  while (syscall(SYS_getrandom, &v, sizeof v, 0) != (long)sizeof v) {
  }
  return v;
}
