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

namespace mn {

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
  const CpuFeatures& f = cpu_features();  // dispatch.cc: one detection for float and integer sets
  if (isa == "scalar") return true;
  if (isa == "avx2") return f.avx2;
  if (isa == "avxvnni") return f.avx_vnni;
  if (isa == "avx512vnni") return f.avx512vnni;
  if (isa == "avx512amx") return f.amx_int8 && amx_permitted();  // refused permission: avx512vnni instead
  if (isa == "neon") return f.neon;
  if (isa == "neondot") return f.neon_dot;
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

std::string float_isa_for(const std::string& requested) {
  for (const KernelTable* t : compiled_kernel_tables())
    if (requested == t->isa) return requested;
  for (const QKernelTable* t : compiled_qkernel_tables())
    if (requested == t->isa) return float_isa_of(*t);
  return requested;
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
