#include "dispatch.h"

#include <cstdlib>
#include <cstring>
#include <iterator>
#include <fstream>
#include <stdexcept>

#include "../kernels/scalar/scalar.h"
#if defined(MN_ENABLE_AVX2)
#include "../kernels/avx2/avx2.h"
#endif
#if defined(MN_ENABLE_AVX512)
#include "../kernels/avx512/avx512.h"
#endif
#if defined(MN_ENABLE_NEON)
#include "../kernels/neon/neon.h"
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

CpuFeatures detect_cpu() {
  CpuFeatures f;
#if defined(__x86_64__) || defined(__i386__)
  unsigned int eax, ebx, ecx, edx;
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return f;
  const bool osxsave = ecx & (1u << 27), avx = ecx & (1u << 28), fma = ecx & (1u << 12);
  if (!osxsave || !avx || __get_cpuid_max(0, nullptr) < 7) return f;
  unsigned int xlo, xhi;
  __asm__ volatile("xgetbv" : "=a"(xlo), "=d"(xhi) : "c"(0));
  const unsigned long long xcr0 = ((unsigned long long)xhi << 32) | xlo;
  const bool ymm_os = (xcr0 & 0x6) == 0x6, zmm_os = (xcr0 & 0xe6) == 0xe6, tile_os = (xcr0 & 0x60000) == 0x60000;
  __cpuid_count(7, 0, eax, ebx, ecx, edx);
  const bool avx2 = ebx & (1u << 5), avx512f = ebx & (1u << 16), avx512dq = ebx & (1u << 17),
             avx512bw = ebx & (1u << 30), avx512vl = ebx & (1u << 31), avx512vnni = ecx & (1u << 11),
             amx_tile = edx & (1u << 24), amx_int8 = edx & (1u << 25);
  __cpuid_count(7, 1, eax, ebx, ecx, edx);
  const bool avx_vnni = eax & (1u << 4);
  f.avx2 = ymm_os && avx2 && fma;
  f.avx512 = f.avx2 && zmm_os && avx512f;
  f.avx_vnni = f.avx2 && avx_vnni;
  f.avx512vnni = f.avx512 && avx512dq && avx512bw && avx512vl && avx512vnni;
  f.amx_int8 = f.avx512vnni && amx_tile && amx_int8 && tile_os;
#elif defined(__aarch64__)
  f.neon = true;
#if defined(__linux__)
  f.neon_dot = (getauxval(AT_HWCAP) & HWCAP_ASIMDDP) != 0;
#endif
#elif defined(__arm__) && defined(__linux__)
  f.neon = (getauxval(AT_HWCAP) & HWCAP_NEON) != 0;
#endif
  return f;
}

}  // namespace

const CpuFeatures& cpu_features() {
  static const CpuFeatures f = detect_cpu();
  return f;
}

bool amx_permitted() {
#if defined(__x86_64__) && defined(__linux__) && defined(SYS_arch_prctl)
  constexpr long kArchReqXcompPerm = 0x1023, kXfeatureXtiledata = 18;
  static const bool ok = syscall(SYS_arch_prctl, kArchReqXcompPerm, kXfeatureXtiledata) == 0;
  return ok;
#else
  return false;
#endif
}

std::vector<const KernelTable*> compiled_kernel_tables() {
  std::vector<const KernelTable*> v{&scalar::table()};
#if defined(MN_ENABLE_AVX2)
  v.push_back(&avx2::table());
#endif
#if defined(MN_ENABLE_AVX512)
  v.push_back(&avx512::table());
#endif
#if defined(MN_ENABLE_NEON)
  v.push_back(&neon::table());
#endif
  return v;
}

bool cpu_supports(const KernelTable& t) {
  const std::string isa = t.isa;
  const CpuFeatures& f = cpu_features();
  if (isa == "scalar") return true;
  if (isa == "avx2") return f.avx2;
  if (isa == "avx512") return f.avx512;
  if (isa == "neon") return f.neon;
  return false;
}

std::vector<const KernelTable*> supported_kernel_tables() {
  std::vector<const KernelTable*> v;
  for (const KernelTable* t : compiled_kernel_tables())
    if (cpu_supports(*t)) v.push_back(t);
  return v;
}

const KernelTable& select_kernel_table(const std::string& requested, const char* source) {
  const std::vector<const KernelTable*> ok = supported_kernel_tables();
  if (requested.empty()) return *ok.back();  // tables are listed from slowest to fastest
  std::string names;
  for (const KernelTable* t : ok) names += (names.empty() ? "" : ", ") + std::string(t->isa);
  for (const KernelTable* t : compiled_kernel_tables()) {
    if (requested != t->isa) continue;
    if (cpu_supports(*t)) return *t;
    throw std::invalid_argument(std::string(source) + "=" + requested + " was requested but this CPU does not support " +
                                requested + " (supported here: " + names + ")");
  }
  throw std::invalid_argument(std::string(source) + "=" + requested + " is not a kernel set of this build (expected one of: " +
                              names + ")");
}

unsigned arm_part_from_midr(unsigned long long midr) { return (unsigned)((midr >> 4) & 0xfff); }

unsigned arm_part_from_cpuinfo(const std::string& cpuinfo) {
  size_t pos = 0;
  while ((pos = cpuinfo.find("CPU part", pos)) != std::string::npos) {
    const size_t colon = cpuinfo.find(':', pos), eol = cpuinfo.find('\n', pos);
    pos += 8;
    if (colon == std::string::npos || (eol != std::string::npos && colon > eol)) continue;
    return (unsigned)std::strtoul(cpuinfo.c_str() + colon + 1, nullptr, 0);
  }
  return 0;
}

namespace {

unsigned detect_arm_part() {
  if (const char* env = std::getenv("MOBILENET_ARM_CORE"); env && *env) {
    const std::string v = env;
    if (v == "a53") return kArmPartCortexA53;
    if (v == "a72") return kArmPartCortexA72;
    if (v == "a76") return kArmPartCortexA76;
    if (v == "generic") return 0;
    char* end = nullptr;
    const unsigned long n = std::strtoul(env, &end, 0);
    if (end && *end == 0 && n <= 0xfff) return (unsigned)n;
    throw std::invalid_argument("MOBILENET_ARM_CORE=" + v +
                                " is not a core (expected a53, a72, a76, generic or a CPU part number such as 0xd03)");
  }
#if defined(__arm__) || defined(__aarch64__)
  {
    std::ifstream f("/sys/devices/system/cpu/cpu0/regs/identification/midr_el1");
    std::string midr;
    if (f >> midr) return arm_part_from_midr(std::strtoull(midr.c_str(), nullptr, 16));
  }
  std::ifstream f("/proc/cpuinfo");
  const std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  return arm_part_from_cpuinfo(text);
#else
  return 0;
#endif
}

}  // namespace

unsigned arm_cpu_part() {
  static const unsigned part = detect_arm_part();
  return part;
}

std::string cpu_model_name() {
#if defined(__x86_64__) || defined(__i386__)
  unsigned int regs[12];
  if (__get_cpuid_max(0x80000000, nullptr) >= 0x80000004) {
    for (unsigned int i = 0; i < 3; i++) __get_cpuid(0x80000002 + i, &regs[i * 4], &regs[i * 4 + 1], &regs[i * 4 + 2], &regs[i * 4 + 3]);
    std::string s(reinterpret_cast<const char*>(regs), 48);
    s = s.c_str();
    const size_t b = s.find_first_not_of(' '), e = s.find_last_not_of(' ');
    return b == std::string::npos ? "x86-64" : s.substr(b, e - b + 1);
  }
  return "x86-64";
#else
  std::ifstream f("/proc/cpuinfo");
  std::string line, model, hardware;
  while (std::getline(f, line)) {
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string key = line.substr(0, line.find_first_of(" \t"));
    std::string val = line.substr(colon + 1);
    val.erase(0, val.find_first_not_of(' '));
    if (key == "Model" && model.empty()) model = val;           // "Raspberry Pi 4 Model B Rev 1.4"
    if (key == "Hardware" && hardware.empty()) hardware = val;
    if (key == "CPU" && line.find("part") != std::string::npos && hardware.empty()) hardware = "CPU part " + val;
  }
  if (!model.empty()) return model;
  if (!hardware.empty()) return hardware;
#if defined(__aarch64__)
  return "aarch64";
#else
  return "arm";
#endif
#endif
}

}  // namespace mn
