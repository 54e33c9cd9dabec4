// LD_PRELOAD shim for metered runs under qemu-user (built per guest architecture).
//  - METER_CPUINFO=<file>: opening /proc/cpuinfo opens <file> instead, so a guest sees the CPU part number of a
//    Pi core (qemu 7.2 passes the host's x86 /proc/cpuinfo through). cpuinfo (XNNPACK's detector) uses open(),
//    our dispatch uses std::ifstream (fopen): both are covered.
//  - xnn_run_operator is wrapped: before each XNNPACK operator runs, a phase marker (meter.c) with id
//    1 + the operator's index in order of first run; after it, phase 0 again. The wrapper is only reached
//    when the program calls XNNPACK.
//  - xnn_delete_operator is wrapped too: operators deleted and then others run (the anchor's quantized modes
//    run the float network once to calibrate, delete it, then build the quantized one) restart the numbering,
//    and the first operator run afterwards first sends the reset marker (meter.c METER_RESET), so the
//    phases count only the network that runs last. Deleting at exit changes nothing (no operator runs after).
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define METER_SYSCALL 0x4d4e

static const char* redirect(const char* path) {
  if (path && strcmp(path, "/proc/cpuinfo") == 0) {
    const char* f = getenv("METER_CPUINFO");
    if (f && *f) return f;
  }
  return path;
}

#define FORWARD_OPEN(name)                                                            \
  int name(const char* path, int flags, ...) {                                       \
    static int (*real)(const char*, int, ...);                                        \
    if (!real) real = (int (*)(const char*, int, ...))dlsym(RTLD_NEXT, #name);       \
    va_list ap; va_start(ap, flags); int mode = va_arg(ap, int); va_end(ap);          \
    return real(redirect(path), flags, mode);                                         \
  }
FORWARD_OPEN(open)
FORWARD_OPEN(open64)

#define FORWARD_OPENAT(name)                                                          \
  int name(int dirfd, const char* path, int flags, ...) {                            \
    static int (*real)(int, const char*, int, ...);                                   \
    if (!real) real = (int (*)(int, const char*, int, ...))dlsym(RTLD_NEXT, #name);  \
    va_list ap; va_start(ap, flags); int mode = va_arg(ap, int); va_end(ap);          \
    return real(dirfd, redirect(path), flags, mode);                                  \
  }
FORWARD_OPENAT(openat)
FORWARD_OPENAT(openat64)

#define FORWARD_FOPEN(name)                                                           \
  FILE* name(const char* path, const char* mode) {                                   \
    static FILE* (*real)(const char*, const char*);                                   \
    if (!real) real = (FILE* (*)(const char*, const char*))dlsym(RTLD_NEXT, #name);  \
    return real(redirect(path), mode);                                                \
  }
FORWARD_FOPEN(fopen)
FORWARD_FOPEN(fopen64)

#define METER_RESET 4095

static void* seen[4096];
static int nseen;
static int pending_reset;

// xnn_status xnn_delete_operator(xnn_operator_t op)
typedef int (*delete_fn)(void*);
int xnn_delete_operator(void* op) {
  static delete_fn real;
  if (!real) real = (delete_fn)dlsym(RTLD_NEXT, "xnn_delete_operator");
  for (int i = 0; i < nseen; i++)
    if (seen[i] == op) pending_reset = 1;
  return real(op);
}

// xnn_status xnn_run_operator(xnn_operator_t op, pthreadpool_t pool)
typedef int (*run_fn)(void*, void*);
int xnn_run_operator(void* op, void* pool) {
  static run_fn real;
  if (!real) real = (run_fn)dlsym(RTLD_NEXT, "xnn_run_operator");
  if (pending_reset) {
    pending_reset = 0;
    nseen = 0;
    syscall(METER_SYSCALL, (long)METER_RESET);
  }
  int idx = 0;
  while (idx < nseen && seen[idx] != op) idx++;
  if (idx == nseen && nseen < 4096) seen[nseen++] = op;
  syscall(METER_SYSCALL, (long)(1 + idx));
  const int st = real(op, pool);
  syscall(METER_SYSCALL, 0L);
  return st;
}
