// Sanitizer mode (ATOLL_REGION_CHECK=1): freed chunks are made PROT_NONE and
// never reused, and a SIGSEGV handler turns an access to one into a message
// naming the region and where it was opened.
//
// The table of protected chunks is append-only and read by the signal
// handler without locks: entries are written, then published by a release
// store of the count. Faults elsewhere go to the handler installed before
// (Boehm's incremental mode and fiber stack guards rely on theirs).
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "runtime/io/signal_chain.h"
#include "runtime/region/region_internal.h"

namespace atl::region {
namespace {

struct ProtectedChunk {
  uintptr_t begin;
  uintptr_t end;
  uint64_t region_id;
  const char* site;
};

constexpr size_t kTableCapacity = size_t{1} << 20;

ProtectedChunk* table = nullptr;  // mmap'd once, kTableCapacity entries
std::atomic<size_t> table_count{0};
std::mutex table_mutex;
struct sigaction previous_action;

void AppendText(char*& out, char* end, const char* text) {
  while (*text != '\0' && out < end) *out++ = *text++;
}

void AppendNumber(char*& out, char* end, uint64_t n) {
  char digits[24];
  int len = 0;
  do {
    digits[len++] = static_cast<char>('0' + n % 10);
    n /= 10;
  } while (n != 0);
  while (len > 0 && out < end) *out++ = digits[--len];
}

void OnSegv(int sig, siginfo_t* info, void* context) {
  const auto addr = reinterpret_cast<uintptr_t>(info->si_addr);
  const size_t n = table_count.load(std::memory_order_acquire);
  for (size_t i = 0; i < n; ++i) {
    if (addr >= table[i].begin && addr < table[i].end) {
      char msg[512];
      char* out = msg;
      char* end = msg + sizeof msg;
      AppendText(out, end, "atoll: runtime error: dangling access to region #");
      AppendNumber(out, end, table[i].region_id);
      AppendText(out, end, " (opened at ");
      AppendText(out, end, table[i].site != nullptr ? table[i].site : "unknown site");
      AppendText(out, end, ") after it was freed\n");
      (void)!write(STDERR_FILENO, msg, static_cast<size_t>(out - msg));
      _exit(1);
    }
  }
  atl::io::ChainSignal(previous_action, sig, info, context);  // not ours
}

bool Enable() {
  const char* env = std::getenv("ATOLL_REGION_CHECK");
  if (env == nullptr || std::strcmp(env, "1") != 0) return false;
  void* mem = mmap(nullptr, kTableCapacity * sizeof(ProtectedChunk), PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (mem == MAP_FAILED) {
    std::fprintf(stderr,
                 "atoll: ATOLL_REGION_CHECK=1: cannot map the chunk table; check disabled\n");
    return false;
  }
  table = static_cast<ProtectedChunk*>(mem);
  atl::io::InstallSegvHandler(OnSegv, &previous_action);
  return true;
}

}  // namespace

bool CheckEnabled() {
  static const bool enabled = Enable();
  return enabled;
}

void ProtectChunk(Chunk* chunk, const Region& owner) {
  const auto begin = reinterpret_cast<uintptr_t>(chunk);
  const uintptr_t end = begin + chunk->size;
  if (mprotect(chunk, chunk->size, PROT_NONE) != 0) {
    std::perror("atoll: ATOLL_REGION_CHECK: mprotect");
    return;  // leaked, not protected: still never reused
  }
  std::lock_guard<std::mutex> lock(table_mutex);
  const size_t n = table_count.load(std::memory_order_relaxed);
  if (n == kTableCapacity) return;  // protected but anonymous: the fault is a plain SIGSEGV
  table[n] = ProtectedChunk{begin, end, owner.id, owner.site};
  table_count.store(n + 1, std::memory_order_release);
}

uint64_t ProtectedChunks() { return table_count.load(std::memory_order_relaxed); }

}  // namespace atl::region

extern "C" int atl_region_check_enabled(void) { return atl::region::CheckEnabled() ? 1 : 0; }
