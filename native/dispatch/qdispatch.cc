#include "qdispatch.h"

#include <stdexcept>

#include "../kernels/scalar/q8_scalar.h"
#if defined(MN_ENABLE_AVX2)
#include "../kernels/avx2/q8_avx2.h"
#endif
#if defined(MN_ENABLE_AVXVNNI)
#include "../kernels/avxvnni/q8_avxvnni.h"
#endif
#if defined(MN_ENABLE_AVX512VNNI)
#include "../kernels/avx512vnni/q8_avx512vnni.h"
#endif

#if defined(MN_ENABLE_NEON)
#include "../kernels/neon/q8_neon.h"
#endif
#if defined(MN_ENABLE_NEONDOT)
#include "../kernels/neondot/q8_neondot.h"
#endif

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif
#if (defined(__arm__) || defined(__aarch64__)) && defined(__linux__)
#include <sys/auxv.h>
#ifndef HWCAP_NEON
#define HWCAP_NEON (1 << 12)  // armv7 AT_HWCAP
#endif
#ifndef HWCAP_ASIMDDP
#define HWCAP_ASIMDDP (1 << 20)  // aarch64 AT_HWCAP: udot/sdot
#endif
#endif

namespace mn {

namespace {

#if defined(__x86_64__) || defined(__i386__)
// The integer ISAs' CPUID bits; the OS must also save the registers (XCR0), not only the CPU have them.
struct X86QFeatures {
  bool avx2 = false, avx_vnni = false, avx512vnni = false;
};

X86QFeatures detect_x86_q() {
  X86QFeatures f;
  unsigned int eax, ebx, ecx, edx;
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return f;
  const bool osxsave = ecx & (1u << 27), avx = ecx & (1u << 28), fma = ecx & (1u << 12);
  if (!osxsave || !avx || __get_cpuid_max(0, nullptr) < 7) return f;
  unsigned int xlo, xhi;
  __asm__ volatile("xgetbv" : "=a"(xlo), "=d"(xhi) : "c"(0));
  const unsigned long long xcr0 = ((unsigned long long)xhi << 32) | xlo;
  const bool ymm_os = (xcr0 & 0x6) == 0x6, zmm_os = (xcr0 & 0xe6) == 0xe6;
  __cpuid_count(7, 0, eax, ebx, ecx, edx);
  const bool avx2 = ebx & (1u << 5), avx512f = ebx & (1u << 16), avx512dq = ebx & (1u << 17),
             avx512bw = ebx & (1u << 30), avx512vl = ebx & (1u << 31), avx512vnni = ecx & (1u << 11);
  __cpuid_count(7, 1, eax, ebx, ecx, edx);
  const bool avx_vnni = eax & (1u << 4);
  f.avx2 = ymm_os && avx2 && fma;
  f.avx_vnni = f.avx2 && avx_vnni;
  f.avx512vnni = f.avx2 && zmm_os && avx512f && avx512dq && avx512bw && avx512vl && avx512vnni;
  return f;
}
#endif

}  // namespace

std::vector<const QKernelTable*> compiled_qkernel_tables() {
  std::vector<const QKernelTable*> v{&scalar::qtable()};
#if defined(MN_ENABLE_AVX2)
  v.push_back(&avx2::qtable());
#endif
#if defined(MN_ENABLE_AVXVNNI)
  v.push_back(&avxvnni::qtable());
#endif
#if defined(MN_ENABLE_AVX512VNNI)
  v.push_back(&avx512vnni::qtable());
#endif
#if defined(MN_ENABLE_NEON)
  v.push_back(&neon::qtable());
#endif
#if defined(MN_ENABLE_NEONDOT)
  v.push_back(&neondot::qtable());
#endif
  return v;
}

bool cpu_supports(const QKernelTable& t) {
  const std::string isa = t.isa;
  if (isa == "scalar") return true;
#if defined(__x86_64__) || defined(__i386__)
  static const X86QFeatures f = detect_x86_q();
  if (isa == "avx2") return f.avx2;
  if (isa == "avxvnni") return f.avx_vnni;
  if (isa == "avx512vnni") return f.avx512vnni;
#endif
#if defined(__aarch64__)
  if (isa == "neon") return true;  // NEON is mandatory on AArch64
#if defined(__linux__)
  if (isa == "neondot") return (getauxval(AT_HWCAP) & HWCAP_ASIMDDP) != 0;
#endif
#endif
#if defined(__arm__) && defined(__linux__)
  if (isa == "neon") return (getauxval(AT_HWCAP) & HWCAP_NEON) != 0;
#endif
  return false;
}

std::vector<const QKernelTable*> supported_qkernel_tables() {
  std::vector<const QKernelTable*> v;
  for (const QKernelTable* t : compiled_qkernel_tables())
    if (cpu_supports(*t)) v.push_back(t);
  return v;
}

const QKernelTable& select_qkernel_table(const std::string& requested, const char* source) {
  const std::vector<const QKernelTable*> ok = supported_qkernel_tables();
  if (requested.empty()) return *ok.back();  // listed from slowest to fastest
  std::string names;
  for (const QKernelTable* t : ok) names += (names.empty() ? "" : ", ") + std::string(t->isa);
  for (const QKernelTable* t : compiled_qkernel_tables()) {
    if (requested != t->isa) continue;
    if (cpu_supports(*t)) return *t;
    throw std::invalid_argument(std::string(source) + "=" + requested + " was requested but this CPU does not support " +
                                requested + " (supported here: " + names + ")");
  }
  throw std::invalid_argument(std::string(source) + "=" + requested +
                              " is not an integer kernel set of this build (expected one of: " + names + ")");
}

}  // namespace mn
