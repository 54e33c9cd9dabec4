// Kernel selection, once per model. Every ISA compiled into this binary is listed by
// compiled_kernel_tables(); the ones this CPU can run by supported_kernel_tables().
#pragma once
#include <string>
#include <vector>
#include "../kernels/kernels.h"

namespace mn {

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
