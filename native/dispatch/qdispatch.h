// Integer kernel selection, once per model; mirrors dispatch.h for the float KernelTable. Kept in its
// own file (own struct, own CPU feature bits) so float and integer dispatch change independently.
#pragma once
#include <string>
#include <vector>

#include "../kernels/qkernels.h"

namespace mn {

// All integer tables built into this binary for this architecture, slowest first (scalar first).
std::vector<const QKernelTable*> compiled_qkernel_tables();
// The subset the running CPU supports (CPUID + XCR0 on x86, AT_HWCAP on ARM).
std::vector<const QKernelTable*> supported_qkernel_tables();
bool cpu_supports(const QKernelTable& t);

// The best supported table, or the one named by `requested` (empty: best). `requested` may also name a float
// kernel set that is not an integer set's name (dispatch.h; MOBILENET_ISA is process-wide): then the best
// supported integer set of that generation or older (float_isa_of): avx512 -> avx512amx, else avx512vnni, else
// avxvnni or avx2.
// Throws std::invalid_argument naming the ISA, what this CPU/binary supports, and `source` (where the request
// came from); a float set this CPU lacks gets the float selection's error.
const QKernelTable& select_qkernel_table(const std::string& requested, const char* source = "MOBILENET_QISA");
// The float kernel set of the same CPU generation as an integer set: avxvnni -> avx2, avx512vnni and avx512amx ->
// avx512, neondot -> neon, others their own name.
const char* float_isa_of(const QKernelTable& t);
// The float kernel set a request means for a float model: an integer set's name that is no float set's (MOBILENET_ISA
// is process-wide: MOBILENET_ISA=avx512vnni) means float_isa_of that set; any other request is returned as it is.
std::string float_isa_for(const std::string& requested);

}  // namespace mn
