// Kernel selection, once per model. Every ISA compiled into this binary is listed by
// compiled_kernel_tables(); the ones this CPU can run by supported_kernel_tables().
#pragma once
#include <string>
#include <vector>
#include "../kernels/kernels.h"

namespace mn {

// What this CPU and its OS can run, detected once: CPUID + XCR0 on x86 (the OS must save the registers, not only
// the CPU have them), AT_HWCAP on ARM. The float (here) and integer (qdispatch.cc) kernel sets both decide from it.
struct CpuFeatures {
  bool avx2 = false;        // AVX2 + FMA, YMM state enabled
  bool avx512 = false;      // AVX-512F (+ AVX2), ZMM state enabled
  bool avx_vnni = false;    // AVX-VNNI (VEX-encoded vpdpbusd), with AVX2
  bool avx512vnni = false;  // AVX-512 F/DQ/BW/VL + VNNI
  bool amx_int8 = false;    // AMX-TILE + AMX-INT8 with tile state in XCR0; Linux still has to grant it (amx_permitted)
  bool neon = false;        // mandatory on aarch64; AT_HWCAP on armv7 (Pi Zero/1 have none)
  bool neon_dot = false;    // aarch64 udot/sdot (ASIMDDP)
};
const CpuFeatures& cpu_features();
// Linux hands out AMX tile data (8 KiB of state per thread) only to processes that ask (arch_prctl
// ARCH_REQ_XCOMP_PERM, Linux 5.16+); asked once, on first use. False when refused or not Linux x86-64.
bool amx_permitted();

// All tables built into this binary for this architecture, scalar first.
std::vector<const KernelTable*> compiled_kernel_tables();
// The subset the running CPU supports (CPUID + XCR0 on x86, AT_HWCAP on armv7).
std::vector<const KernelTable*> supported_kernel_tables();
bool cpu_supports(const KernelTable& t);

// Chooses the best supported table, or the one named by `requested` (e.g. from MOBILENET_ISA);
// an empty request means "best". Throws std::invalid_argument with a message naming the ISA,
// what this CPU/binary supports, and where the request came from.
const KernelTable& select_kernel_table(const std::string& requested, const char* source = "MOBILENET_ISA");

// ARM core of this machine: the primary part number (MIDR_EL1 bits 15:4) of cpu0, from
// /sys/devices/system/cpu/cpu0/regs/identification/midr_el1, else the first "CPU part" of /proc/cpuinfo;
// 0 when unknown (and on x86). MOBILENET_ARM_CORE overrides it (tests, or a board whose kernel hides it):
// "a53", "a72", "a76", "generic" (= 0) or a number such as 0xd03; anything else is an error
// (std::invalid_argument naming the variable and the accepted values). Read once.
constexpr unsigned kArmPartCortexA53 = 0xd03, kArmPartCortexA72 = 0xd08, kArmPartCortexA76 = 0xd0b;
unsigned arm_cpu_part();
// Parses a MIDR value or "CPU part" text and /proc/cpuinfo contents (exposed for tests).
unsigned arm_part_from_midr(unsigned long long midr);
unsigned arm_part_from_cpuinfo(const std::string& cpuinfo);

// Human-readable CPU model (x86 brand string, /proc/cpuinfo on ARM) for reports.
std::string cpu_model_name();

}  // namespace mn
