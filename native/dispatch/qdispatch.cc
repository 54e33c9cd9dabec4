#include "qdispatch.h"

#include <stdexcept>

#include "../kernels/scalar/q8_scalar.h"

namespace mn {

std::vector<const QKernelTable*> compiled_qkernel_tables() {
  std::vector<const QKernelTable*> v{&scalar::qtable()};
  return v;
}

bool cpu_supports(const QKernelTable& t) {
  const std::string isa = t.isa;
  if (isa == "scalar") return true;
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
