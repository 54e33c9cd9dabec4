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

// Human-readable CPU model (x86 brand string, /proc/cpuinfo on ARM) for reports.
std::string cpu_model_name();

}  // namespace mn
