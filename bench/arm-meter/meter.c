// ARM instruction meter: a QEMU TCG plugin (qemu-aarch64 / qemu-arm, user mode) that counts the guest
// instructions executed, in total and by class, split into phases marked by the guest program.
//
//   qemu-aarch64 -plugin ./libmeter.so,arg=out=counts.txt -L /usr/aarch64-linux-gnu ./driver ...
//
// Classes (from the disassembly of each instruction, once per translated block):
//   ffma   float multiply-accumulate: fmla/fmls/fmadd (aarch64), vfma/vmla/vfms/vmls .f32 (armv7);
//          ffma_lanes adds each one's lane count (4 for a q register, 2 for d, 1 for a scalar)
//   imac   integer multiply-accumulate family: mla/mls, s/umlal(2), s/umull(2), s/udot, s/uadalp,
//          vmla.i*/vmlal/vmull/vpadal; imac_lanes adds the products each one computes, from its operand
//          arrangement: the destination's lane count for the multiplies (smlal v.4s <- .4h: 4; umlal
//          v.8h <- .8b: 8; vmlal.s16 q: 4; vmlal.s8 q: 8), 4 per 32-bit lane for s/udot (v.4s: 16), none
//          for the pairwise s/uadalp, vpadal (they only sum products made before); idot counts s/udot
//   load   every load (ldr/ldp/ld1.../vld*/ldm/pop), store every store (str/stp/st1/vst*/stm/push)
//   other  the rest (address arithmetic, loop control, min/max, moves, ...)
//
// Phases: the guest executes the otherwise unused system call number 0x4d4e ('MN', METER_SYSCALL) with the
// phase id as its first argument (the kernel and qemu answer ENOSYS; nothing else happens). Instructions
// executed from then on count towards that phase until the next marker; phase 0 is everything before the
// first marker. A phase entered several times (one per inference) sums its counts and records how often.
// The id METER_RESET (4095) discards everything counted in phases >= 1 so far and returns to phase 0 (the
// preload shim sends it when a program deletes the operators it ran and builds others).
// Counting is exact per executed translated block (an inline counter per block, multiplied by the block's
// per-class counts at each marker), so it costs qemu little.
//
// Output (out=FILE, default stderr), one line each:
//   meter target=aarch64
//   phase <id> n=<times entered> total=<insns> ffma=.. ffma_lanes=.. imac=.. load=.. store=.. other=..
//   sym <symbol> total=.. ffma=.. ...       (per function of the main executable, symbols from its ELF)
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qemu-plugin-abi.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = 1;

#define METER_SYSCALL 0x4d4e
#define MAX_PHASES 4096
#define METER_RESET 4095

enum { C_TOTAL, C_FFMA, C_FFMA_LANES, C_IMAC, C_IMAC_LANES, C_IDOT, C_LOAD, C_STORE, C_OTHER, NCLASS };
static const char* kClassNames[NCLASS] = {"total", "ffma", "ffma_lanes", "imac", "imac_lanes", "idot",
                                          "load", "store", "other"};

typedef struct Block {
  uint64_t execs;            // bumped inline by qemu each time the block runs
  uint64_t n[NCLASS];        // per execution
  const char* sym;
  uint64_t vaddr, bytes;     // guest address and size of the block's code
  uint64_t seen, marked;     // execs at the last marker; execs inside phases >= 1 (the inferences)
} Block;

static Block** blocks;
static size_t nblocks, capblocks;
static uint64_t last_total[NCLASS];
static uint64_t phase_counts[MAX_PHASES][NCLASS];
static uint64_t phase_entered[MAX_PHASES];
static int current_phase;
static int max_phase_seen;
static char* out_path;
static int is_arm32;
static int is_x86;  // x86_64 guests: totals, FMAs (vfmadd*) and blocks only, to check the estimate method

static int starts_with(const char* s, const char* p) { return strncmp(s, p, strlen(p)) == 0; }

// Lanes of a float FMA from its first operand: "v0.4s" / "q8" -> 4, "v0.2s" / "d16" -> 2, "s0" -> 1.
static uint64_t fma_lanes(const char* ops) {
  while (*ops == ' ' || *ops == '\t') ops++;
  if (*ops == 'q') return 4;
  if (*ops == 'd') return is_arm32 ? 2 : 1;
  if (*ops == 's' || *ops == 'h') return 1;
  if (*ops == 'v') {
    const char* dot = strchr(ops, '.');
    if (dot) return (uint64_t)strtoul(dot + 1, NULL, 10) ? (uint64_t)strtoul(dot + 1, NULL, 10) : 1;
  }
  return 1;
}

// Products of an aarch64 integer multiply(-accumulate) from its destination "vN.<lanes><t>".
static uint64_t imac_lanes64(const char* ops) {
  while (*ops == ' ' || *ops == '\t') ops++;
  const char* dot = ops[0] == 'v' ? strchr(ops, '.') : NULL;
  return dot ? (uint64_t)strtoul(dot + 1, NULL, 10) : 1;
}

// armv7: lanes from the element size of the suffix ("s16", "u8", "i32") and the destination (q: 128 bits,
// d: 64 bits); the widening forms (vmlal, vmull) have a q destination of twice the element size.
static uint64_t imac_lanes32(const char* base, const char* suffix, const char* ops) {
  while (*ops == ' ' || *ops == '\t') ops++;
  unsigned bits = 0;
  for (const char* p = suffix; *p; p++)
    if (*p >= '0' && *p <= '9') { bits = (unsigned)strtoul(p, NULL, 10); break; }
  if (!bits) return 1;
  const int widening = !strcmp(base, "vmlal") || !strcmp(base, "vmull") || !strcmp(base, "vmlsl");
  const unsigned dest_bits = ops[0] == 'q' ? 128 : 64;
  return dest_bits / (widening ? 2 * bits : bits);
}

static void classify(const char* disas, uint64_t* n) {
  char mn[32];
  size_t i = 0;
  while (disas[i] && disas[i] != ' ' && disas[i] != '\t' && i < sizeof mn - 1) { mn[i] = disas[i]; i++; }
  mn[i] = 0;
  const char* ops = disas + i;
  n[C_TOTAL]++;
  if (is_x86) {
    if (starts_with(mn, "vfmadd") || starts_with(mn, "vfnmadd")) {
      n[C_FFMA]++;
      n[C_FFMA_LANES] += strstr(ops, "zmm") ? 16 : strstr(ops, "ymm") ? 8 : strstr(ops, "xmm") && !strstr(mn, "ss") ? 4 : 1;
      return;
    }
    n[C_OTHER]++;
    return;
  }
  if (!is_arm32) {
    // qemu 7.2's AArch64 disassembler (vixl) predates the dot product: it prints udot/sdot as
    // ".byte 0x20, 0x94, 0x82, 0x6e"; decode those words (Arm ARM: UDOT/SDOT vector and by element).
    if (!strcmp(mn, ".byte")) {
      unsigned b[4] = {0, 0, 0, 0};
      if (sscanf(ops, " 0x%x, 0x%x, 0x%x, 0x%x", &b[0], &b[1], &b[2], &b[3]) == 4) {
        const uint32_t w = b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
        if ((w & 0x9FE0FC00u) == 0x0E809400u || (w & 0x9FC0F400u) == 0x0F80E000u) {
          n[C_IMAC]++; n[C_IDOT]++; n[C_IMAC_LANES] += (w >> 30 & 1) ? 16 : 8;
          return;
        }
      }
      n[C_OTHER]++;
      return;
    }
    if (!strcmp(mn, "fmla") || !strcmp(mn, "fmls") || !strcmp(mn, "fmadd") || !strcmp(mn, "fmsub") ||
        !strcmp(mn, "fnmadd") || !strcmp(mn, "fnmsub")) {
      n[C_FFMA]++; n[C_FFMA_LANES] += fma_lanes(ops); return;
    }
    static const char* imac[] = {"mla", "mls", "smlal", "smlal2", "umlal", "umlal2", "smull", "smull2", "umull",
                                 "umull2", "sdot", "udot", "sadalp", "uadalp", "smlsl", "smlsl2", "umlsl", "umlsl2", 0};
    for (int k = 0; imac[k]; k++)
      if (!strcmp(mn, imac[k])) {
        // scalar "mul"/"madd" are address arithmetic; the vector forms name v registers
        if (strchr(ops, 'v')) {
          n[C_IMAC]++;
          if (!strcmp(mn, "sdot") || !strcmp(mn, "udot")) { n[C_IDOT]++; n[C_IMAC_LANES] += 4 * imac_lanes64(ops); }
          else if (strcmp(mn, "sadalp") && strcmp(mn, "uadalp")) n[C_IMAC_LANES] += imac_lanes64(ops);
          return;
        }
      }
    if (starts_with(mn, "ld")) { n[C_LOAD]++; return; }
    if (starts_with(mn, "st")) { n[C_STORE]++; return; }
    n[C_OTHER]++;
    return;
  }
  // armv7 (ARM and Thumb-2): capstone writes "vmla.f32", "vmlal.s16", "ldr.w", "vld1.32", ...
  char base[32];
  strcpy(base, mn);
  char* dot = strchr(base, '.');
  const char* suffix = dot ? dot + 1 : "";
  if (dot) *dot = 0;
  if (!strcmp(base, "vfma") || !strcmp(base, "vfms") || !strcmp(base, "vmla") || !strcmp(base, "vmls")) {
    if (starts_with(suffix, "f32")) { n[C_FFMA]++; n[C_FFMA_LANES] += fma_lanes(ops); return; }
    n[C_IMAC]++;
    n[C_IMAC_LANES] += imac_lanes32(base, suffix, ops);
    return;
  }
  if (!strcmp(base, "vmlal") || !strcmp(base, "vmull") || !strcmp(base, "vmlsl")) {
    n[C_IMAC]++;
    n[C_IMAC_LANES] += imac_lanes32(base, suffix, ops);
    return;
  }
  if (!strcmp(base, "vpadal")) { n[C_IMAC]++; return; }
  if (!strcmp(base, "vsdot") || !strcmp(base, "vudot")) {
    n[C_IMAC]++; n[C_IDOT]++;
    while (*ops == ' ' || *ops == '\t') ops++;
    n[C_IMAC_LANES] += ops[0] == 'q' ? 16 : 8;
    return;
  }
  if (starts_with(base, "ld") || starts_with(base, "vld") || !strcmp(base, "pop") || !strcmp(base, "vpop")) {
    n[C_LOAD]++; return;
  }
  if (starts_with(base, "st") || starts_with(base, "vst") || !strcmp(base, "push") || !strcmp(base, "vpush")) {
    n[C_STORE]++; return;
  }
  n[C_OTHER]++;
}

static void vcpu_tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb* tb) {
  Block* b = calloc(1, sizeof *b);
  const size_t n = qemu_plugin_tb_n_insns(tb);
  for (size_t i = 0; i < n; i++) {
    struct qemu_plugin_insn* insn = qemu_plugin_tb_get_insn(tb, i);
    char* d = qemu_plugin_insn_disas(insn);
    classify(d ? d : "?", b->n);
    free(d);
    if (i == 0) {
      b->sym = qemu_plugin_insn_symbol(insn);
      b->vaddr = qemu_plugin_insn_vaddr(insn);
    }
    if (i + 1 == n) b->bytes = qemu_plugin_insn_vaddr(insn) + qemu_plugin_insn_size(insn) - b->vaddr;
  }
  if (nblocks == capblocks) {
    capblocks = capblocks ? capblocks * 2 : 4096;
    blocks = realloc(blocks, capblocks * sizeof *blocks);
  }
  blocks[nblocks++] = b;
  qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &b->execs, 1);
}

// Adds everything executed since the last call to the current phase.
static void close_phase(void) {
  uint64_t now[NCLASS] = {0};
  for (size_t i = 0; i < nblocks; i++) {
    Block* b = blocks[i];
    for (int c = 0; c < NCLASS; c++) now[c] += b->execs * b->n[c];
    if (current_phase != 0) b->marked += b->execs - b->seen;
    b->seen = b->execs;
  }
  for (int c = 0; c < NCLASS; c++) {
    phase_counts[current_phase][c] += now[c] - last_total[c];
    last_total[c] = now[c];
  }
}

static void vcpu_syscall(qemu_plugin_id_t id, unsigned int vcpu, int64_t num, uint64_t a1, uint64_t a2,
                         uint64_t a3, uint64_t a4, uint64_t a5, uint64_t a6, uint64_t a7, uint64_t a8) {
  if (num != METER_SYSCALL) return;
  close_phase();
  if (a1 == METER_RESET) {
    for (int i = 1; i < MAX_PHASES; i++) {
      memset(phase_counts[i], 0, sizeof phase_counts[i]);
      phase_entered[i] = 0;
    }
    for (size_t i = 0; i < nblocks; i++) blocks[i]->marked = 0;
    max_phase_seen = 0;
    current_phase = 0;
    return;
  }
  current_phase = a1 < MAX_PHASES ? (int)a1 : MAX_PHASES - 1;
  phase_entered[current_phase]++;
  if (current_phase > max_phase_seen) max_phase_seen = current_phase;
}

typedef struct SymTotal { const char* sym; uint64_t n[NCLASS]; } SymTotal;

static int by_total_desc(const void* x, const void* y) {
  const SymTotal* a = x; const SymTotal* b = y;
  return a->n[C_TOTAL] < b->n[C_TOTAL] ? 1 : a->n[C_TOTAL] > b->n[C_TOTAL] ? -1 : 0;
}

static int by_marked_insns_desc(const void* x, const void* y) {
  const Block* a = *(Block* const*)x; const Block* b = *(Block* const*)y;
  const uint64_t ia = a->marked * a->n[C_TOTAL], ib = b->marked * b->n[C_TOTAL];
  return ia < ib ? 1 : ia > ib ? -1 : 0;
}

static void print_counts(FILE* f, const uint64_t* n) {
  for (int c = 0; c < NCLASS; c++) fprintf(f, " %s=%llu", kClassNames[c], (unsigned long long)n[c]);
  fputc('\n', f);
}

static void at_exit(qemu_plugin_id_t id, void* p) {
  close_phase();
  FILE* f = out_path ? fopen(out_path, "w") : stderr;
  if (!f) { fprintf(stderr, "meter: cannot write %s\n", out_path); f = stderr; }
  fprintf(f, "meter target=%s\n", is_x86 ? "x86_64" : is_arm32 ? "arm" : "aarch64");
  phase_entered[0] = 1;
  for (int i = 0; i <= max_phase_seen; i++) {
    if (!phase_entered[i]) continue;
    fprintf(f, "phase %d n=%llu", i, (unsigned long long)phase_entered[i]);
    print_counts(f, phase_counts[i]);
  }
  // Per symbol: blocks are grouped by the symbol of their first instruction (linear merge is fine: few symbols).
  SymTotal* syms = calloc(nblocks + 1, sizeof *syms);
  size_t nsyms = 0;
  for (size_t i = 0; i < nblocks; i++) {
    const Block* b = blocks[i];
    if (!b->execs) continue;
    const char* s = b->sym ? b->sym : "?";
    size_t j = 0;
    while (j < nsyms && strcmp(syms[j].sym, s)) j++;
    if (j == nsyms) syms[nsyms++].sym = s;
    for (int c = 0; c < NCLASS; c++) syms[j].n[c] += b->execs * b->n[c];
  }
  qsort(syms, nsyms, sizeof *syms, by_total_desc);
  // Blocks of the main executable run inside the marked phases, busiest first (for llvm-mca estimates).
  Block** hot = calloc(nblocks + 1, sizeof *hot);
  size_t nhot = 0;
  for (size_t i = 0; i < nblocks; i++)
    if (blocks[i]->marked && blocks[i]->sym) hot[nhot++] = blocks[i];
  qsort(hot, nhot, sizeof *hot, by_marked_insns_desc);
  for (size_t i = 0; i < nhot && i < 400; i++)
    fprintf(f, "tb 0x%llx bytes=%llu insns=%llu execs=%llu sym=%s\n", (unsigned long long)hot[i]->vaddr,
            (unsigned long long)hot[i]->bytes, (unsigned long long)hot[i]->n[C_TOTAL],
            (unsigned long long)hot[i]->marked, hot[i]->sym);
  for (size_t j = 0; j < nsyms && j < 60; j++) {
    fprintf(f, "sym %s", syms[j].sym);
    print_counts(f, syms[j].n);
  }
  if (f != stderr) fclose(f);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t* info, int argc, char** argv) {
  for (int i = 0; i < argc; i++) {
    if (starts_with(argv[i], "out=")) out_path = strdup(argv[i] + 4);
    else { fprintf(stderr, "meter: unknown argument '%s' (expected out=FILE)\n", argv[i]); return -1; }
  }
  if (!strcmp(info->target_name, "arm")) is_arm32 = 1;
  else if (!strcmp(info->target_name, "x86_64")) is_x86 = 1;
  else if (strcmp(info->target_name, "aarch64")) {
    fprintf(stderr, "meter: target %s is not aarch64, arm or x86_64\n", info->target_name);
    return -1;
  }
  qemu_plugin_register_vcpu_tb_trans_cb(id, vcpu_tb_trans);
  qemu_plugin_register_vcpu_syscall_cb(id, vcpu_syscall);
  qemu_plugin_register_atexit_cb(id, at_exit, NULL);
  return 0;
}
