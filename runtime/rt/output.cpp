// Buffered stdout and line-oriented stdin over the IO layer (output.h).
#include "runtime/rt/output.h"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>

#include "runtime/io/blocking_pool.h"
#include "runtime/io/host.h"
#include "runtime/io/mutex.h"
#include "runtime/io/spin_lock.h"

namespace atl::rt::output {
namespace {

constexpr size_t kBufferBytes = 64 * 1024;

io::SpinLock buffer_lock;  // guards `buffer`; never held across a wait
std::string buffer;
io::Mutex writer;  // held while a write to fd 1 is in progress (may park)
bool line_mode = false;
std::atomic<int> first_error{0};

io::Mutex reader;  // one reader of stdin at a time
std::string pending_input;
bool input_ended = false;
// Set while a flush's bytes are being written by the blocking pool: they
// are out of `buffer` then, so the exit path waits for them (a thread that
// flushed before a wait, while main ended the program, lost its lines).
std::atomic<bool> writing{false};

void NoteError(int e) {
  int none = 0;
  first_error.compare_exchange_strong(none, e);
}

int WriteAllNow(const char* p, size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(STDOUT_FILENO, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) return errno;
    p += w;
    n -= static_cast<size_t>(w);
  }
  return 0;
}

}  // namespace

void Init() {
  line_mode = isatty(STDOUT_FILENO) == 1;
  buffer.reserve(kBufferBytes);
}

void SetLineBuffered() { line_mode = true; }

void Flush() {
  std::lock_guard<io::Mutex> w(writer);
  std::string out;
  {
    std::lock_guard<io::SpinLock> g(buffer_lock);
    out.swap(buffer);
    buffer.reserve(kBufferBytes);
  }
  if (out.empty()) return;
  writing.store(true, std::memory_order_release);
  const int e = io::RunBlocking([&] {
    const int rc = WriteAllNow(out.data(), out.size());
    writing.store(false,
                  std::memory_order_release);  // by the pool thread: the exit path may be waiting
    return rc;
  });
  if (e != 0) NoteError(e);
}

void Write(const char* bytes, size_t n) {
  bool full = false;
  {
    std::lock_guard<io::SpinLock> g(buffer_lock);
    buffer.append(bytes, n);
    full = buffer.size() >= kBufferBytes || (line_mode && std::memchr(bytes, '\n', n) != nullptr);
  }
  if (full) Flush();
}

int FlushAtExit() {
  // A flush under way finishes first, so lines keep their order (at most 5 s:
  // a reader that never drains a pipe must not keep the process alive).
  for (int i = 0; i < 5000 && writing.load(std::memory_order_acquire); ++i) usleep(1000);
  std::lock_guard<io::SpinLock> g(buffer_lock);
  if (!buffer.empty()) {
    if (int e = WriteAllNow(buffer.data(), buffer.size())) NoteError(e);
    buffer.clear();
  }
  return first_error.load();
}

void EmergencyFlush() {
  if (!buffer_lock.try_lock()) return;
  if (!buffer.empty()) WriteAllNow(buffer.data(), buffer.size());
  buffer.clear();
  buffer_lock.unlock();
}

bool ReadLine(std::string* line) {
  Flush();
  std::lock_guard<io::Mutex> r(reader);
  line->clear();
  for (;;) {
    if (const size_t nl = pending_input.find('\n'); nl != std::string::npos) {
      line->assign(pending_input, 0, nl);
      pending_input.erase(0, nl + 1);
      return true;
    }
    if (input_ended) break;
    io::Result<std::string> more = io::ReadStdin();
    if (!more.ok() || more.value().empty()) {
      input_ended = true;
      continue;
    }
    pending_input += more.value();
  }
  if (pending_input.empty()) return false;
  line->swap(pending_input);
  pending_input.clear();
  return true;
}

}  // namespace atl::rt::output
