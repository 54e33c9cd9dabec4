#include "qdispatch.h"

#include <stdexcept>

#include "dispatch.h"

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
#if defined(MN_ENABLE_AVX512AMX) && defined(MN_ENABLE_AVX512VNNI)
#include "../kernels/avx512amx/q8_avx512amx.h"
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
#if defined(__x86_64__) && defined(__linux__)
#include <sys/syscall.h>
#include <unistd.h>
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
  bool avx2 = false, avx_vnni = false, avx512vnni = false, avx512amx = false;
};

// Linux hands out AMX tile data (XTILEDATA, 8 KiB of state per thread) only to processes that ask
// (arch_prctl ARCH_REQ_XCOMP_PERM, Linux 5.16+; process-wide, once). Refused or elsewhere: no AMX.
bool request_amx_permission() {
#if defined(__x86_64__) && defined(__linux__) && defined(SYS_arch_prctl)
  constexpr long kArchReqXcompPerm = 0x1023, kXfeatureXtiledata = 18;
  return syscall(SYS_arch_prctl, kArchReqXcompPerm, kXfeatureXtiledata) == 0;
#else
  return false;
#endif
}

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
  __cpuid_count(7, 0, eax, ebx, ecx, edx);
  const bool amx_tile = edx & (1u << 24), amx_int8 = edx & (1u << 25), tile_os = (xcr0 & 0x60000) == 0x60000;
  f.avx2 = ymm_os && avx2 && fma;
  f.avx_vnni = f.avx2 && avx_vnni;
  f.avx512vnni = f.avx2 && zmm_os && avx512f && avx512dq && avx512bw && avx512vl && avx512vnni;
  f.avx512amx = f.avx512vnni && amx_tile && amx_int8 && tile_os && request_amx_permission();
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
#if defined(MN_ENABLE_AVX512AMX) && defined(MN_ENABLE_AVX512VNNI)
  v.push_back(&avx512amx::qtable());
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
  if (isa == "avx512amx") return f.avx512amx;
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

const char* float_isa_of(const QKernelTable& t) {
  const std::string isa = t.isa;
  if (isa == "avxvnni") return "avx2";  // VEX-encoded, 256-bit: AVX2's generation
  if (isa == "avx512vnni" || isa == "avx512amx") return "avx512";
  if (isa == "neondot") return "neon";
  return t.isa;  // scalar, avx2, neon
}

const QKernelTable& select_qkernel_table(const std::string& requested, const char* source) {
  const std::vector<const QKernelTable*> ok = supported_qkernel_tables();
  if (requested.empty()) return *ok.back();  // listed from slowest to fastest
  std::string names;
  for (const QKernelTable* t : ok) names += (names.empty() ? "" : ", ") + std::string(t->isa);
  // A float kernel set's name that is no integer set's (MOBILENET_ISA=avx512 applies to every model of the
  // process): the best integer set of that generation or older, avx512 -> avx512amx or avx512vnni when the CPU
  // has them, else avxvnni or avx2. (scalar, avx2 and neon name both kinds and select exactly that set.)
  bool integer_name = false;
  for (const QKernelTable* t : compiled_qkernel_tables()) integer_name = integer_name || requested == t->isa;
  if (!integer_name) {
    const std::vector<const KernelTable*> floats = compiled_kernel_tables();
    const auto rank = [&](const std::string& isa) {
      for (size_t i = 0; i < floats.size(); ++i)
        if (isa == floats[i]->isa) return (long)i;
      return -1L;
    };
    const long wanted = rank(requested);
    if (wanted >= 0) {
      select_kernel_table(requested, source);  // the CPU must run the float set named (same error as a float model)
      for (auto it = ok.rbegin(); it != ok.rend(); ++it)
        if (rank(float_isa_of(**it)) >= 0 && rank(float_isa_of(**it)) <= wanted) return **it;
    }
  }
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
