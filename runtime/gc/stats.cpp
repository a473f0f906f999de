// GC pause statistics: the collection-event callback and the printers.
//
// The callback runs on the collecting thread with Boehm's allocation lock
// held (so one writer at a time) and may run with the world stopped: it
// only reads the monotonic clock and stores into static buffers. Readers
// take a snapshot under the same lock.
#include "runtime/gc/stats.h"

#include <fcntl.h>
#include <gc/gc.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "runtime/gc/gc.h"
#include "runtime/gc/gc_internal.h"
#include "runtime/region/region.h"

namespace atl::gc {
namespace {

constexpr size_t kMaxPauses = size_t{1} << 17;
constexpr size_t kMaxCollections = size_t{1} << 16;
constexpr size_t kMaxStops = size_t{1} << 16;
constexpr size_t kMaxEvents = size_t{1} << 14;  // reclaims, full-collection starts

// A phase outside world stops that still runs on the allocating thread.
struct EventRecord {
  uint64_t start_ns;
  uint64_t ns;
};

struct CollectionRecord {
  uint64_t stopped_ns;
  uint64_t mark_ns;
  uint64_t reclaim_ns;
  uint64_t total_ns;
  uint64_t start_ns;     // since the collector was set up (ATOLL_GC_TRACE)
  uint64_t heap_before;  // heap bytes at the start and end, and free bytes after
  uint64_t heap_after;
  uint64_t free_after;
};

// One world stop, split at the clock readings the collector gives us
// (ATOLL_GC_TRACE "stop" lines; docs/environment.md). Roots are pushed from
// inside the mark loop: what comes before the push-other-roots hook is
// reading the dirty bits, re-marking from marked objects on dirty pages and
// static data; what comes after it is marking from the mark stack.
struct StopRecord {
  uint64_t start_ns;         // PRE_STOP_WORLD, since start-up
  uint64_t suspend_ns;       // PRE_STOP_WORLD .. POST_STOP_WORLD
  uint64_t before_roots_ns;  // POST_STOP_WORLD .. the hook (all marking when no hook ran)
  uint64_t regions_ns;       // the hook's region part
  uint64_t other_roots_ns;   // hooks chained after it (thread and fiber stacks)
  uint64_t after_roots_ns;   // the hook .. PRE_START_WORLD
  uint64_t resume_ns;        // PRE_START_WORLD .. POST_START_WORLD
  uint64_t region_bytes;     // bytes of region chunks pushed
  uint64_t cpu_ns;           // CPU time of the collecting thread over the stop
  uint32_t root_pushes;      // hook calls in this stop
  bool whole;                // regions pushed whole (not by card)
  bool completed;            // MARK_END: this stop finished a mark phase
};

// Running totals that stay exact when the buffers overflow.
struct Aggregate {
  uint64_t count;
  uint64_t total_ns;
  uint64_t max_ns;
  void Add(uint64_t ns) {
    ++count;
    total_ns += ns;
    max_ns = std::max(max_ns, ns);
  }
};

// Everything below is guarded by the GC allocation lock. The buffers are
// malloc'd once at start-up, not static: Boehm scans static data as roots
// at every collection, and 3 MiB of zeros would lengthen every pause.
uint64_t* pauses = nullptr;               // kMaxPauses entries
CollectionRecord* collections = nullptr;  // kMaxCollections entries
size_t pause_count = 0;
size_t collection_count = 0;
uint64_t dropped = 0;
GC_word gc_no_at_reset = 0;
Aggregate pause_agg, stopped_agg, mark_agg, reclaim_agg, total_agg;
CollectionRecord current{};
uint64_t t_start = 0, t_mark = 0, t_reclaim = 0, t_stop = 0;
StopRecord* stops = nullptr;         // kMaxStops entries
EventRecord* reclaims = nullptr;     // kMaxEvents entries (GC_finish_collection)
EventRecord* full_starts = nullptr;  // kMaxEvents entries (duration 0)
size_t stop_count = 0, reclaim_count = 0, full_start_count = 0;
StopRecord stop_now{};
uint64_t t_stop_phase = 0;  // end of the last phase of the current stop
uint64_t t_stop_cpu = 0;    // thread CPU clock at PRE_STOP_WORLD

// The calling thread's CPU time: a stop's wall time less what the machine's
// other work took from it (the collecting thread may wait for a core).
uint64_t ThreadCpuNs() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000u + static_cast<uint64_t>(ts.tv_nsec);
}
bool in_stop = false;

Options options;

uint64_t run_started_ns = 0;  // when the collector was set up: the program's start

}  // namespace

uint64_t NowNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000u + static_cast<uint64_t>(ts.tv_nsec);
}

void NoteRootsPushed(uint64_t enter_ns, uint64_t regions_done_ns, uint64_t exit_ns,
                     uint64_t region_bytes, bool whole) {
  if (!in_stop || stops == nullptr) return;
  if (stop_now.root_pushes == 0)
    stop_now.before_roots_ns = enter_ns - t_stop_phase;
  else
    stop_now.after_roots_ns += enter_ns - t_stop_phase;  // marking between two pushes
  stop_now.regions_ns += regions_done_ns - enter_ns;
  stop_now.other_roots_ns += exit_ns - regions_done_ns;
  stop_now.region_bytes += region_bytes;
  stop_now.whole = stop_now.whole || whole;
  ++stop_now.root_pushes;
  t_stop_phase = exit_ns;
}

void NoteFullCollectionStart() {
  if (full_starts != nullptr && full_start_count < kMaxEvents) {
    full_starts[full_start_count++] = EventRecord{NowNs() - run_started_ns, 0};
  }
}

namespace {

GC_on_collection_event_proc previous_event = nullptr;  // installed before ours

void GC_CALLBACK OnEvent(GC_EventType event) {
  if (previous_event != nullptr) previous_event(event);
  const uint64_t now = NowNs();
  switch (event) {
    case GC_EVENT_START:
      t_start = now;
      current.start_ns = now - run_started_ns;
      current.heap_before = GC_get_heap_size();  // reads counters: no lock taken
      break;
    case GC_EVENT_MARK_START:
      t_mark = now;
      break;
    case GC_EVENT_MARK_END:
      current.mark_ns += now - t_mark;
      stop_now.completed = true;
      break;
    case GC_EVENT_RECLAIM_START:
      t_reclaim = now;
      break;
    case GC_EVENT_RECLAIM_END:
      current.reclaim_ns += now - t_reclaim;
      if (reclaim_count < kMaxEvents)
        reclaims[reclaim_count++] = EventRecord{t_reclaim - run_started_ns, now - t_reclaim};
      break;
    case GC_EVENT_PRE_STOP_WORLD:
      t_stop = now;
      stop_now = StopRecord{};
      stop_now.start_ns = now - run_started_ns;
      t_stop_cpu = ThreadCpuNs();
      in_stop = true;
      break;
    case GC_EVENT_POST_STOP_WORLD:
      stop_now.suspend_ns = now - t_stop;
      t_stop_phase = now;
      break;
    case GC_EVENT_PRE_START_WORLD:
      if (stop_now.root_pushes == 0) {
        stop_now.before_roots_ns = now - t_stop_phase;
      } else {
        stop_now.after_roots_ns += now - t_stop_phase;
      }
      t_stop_phase = now;
      break;
    case GC_EVENT_POST_START_WORLD: {
      const uint64_t pause = now - t_stop;
      stop_now.resume_ns = now - t_stop_phase;
      stop_now.cpu_ns = ThreadCpuNs() - t_stop_cpu;
      in_stop = false;
      if (stop_count < kMaxStops) stops[stop_count++] = stop_now;
      current.stopped_ns += pause;
      pause_agg.Add(pause);
      if (pause_count < kMaxPauses) {
        pauses[pause_count++] = pause;
      } else {
        ++dropped;
      }
      break;
    }
    case GC_EVENT_END:
      current.total_ns = now - t_start;
      current.heap_after = GC_get_heap_size();
      current.free_after = GC_get_free_bytes();
      stopped_agg.Add(current.stopped_ns);
      mark_agg.Add(current.mark_ns);
      reclaim_agg.Add(current.reclaim_ns);
      total_agg.Add(current.total_ns);
      if (collection_count < kMaxCollections) {
        collections[collection_count++] = current;
      } else {
        ++dropped;
      }
      current = CollectionRecord{};
      break;
    case GC_EVENT_THREAD_SUSPENDED:
    case GC_EVENT_THREAD_UNSUSPENDED:
      break;
  }
}

atl_gc_series Series(std::vector<uint64_t> values, const Aggregate& agg) {
  atl_gc_series s{agg.count, agg.total_ns, 0, 0, agg.max_ns};
  if (values.empty()) return s;
  std::sort(values.begin(), values.end());
  auto rank = [&](double q) {
    const size_t i = static_cast<size_t>(q * static_cast<double>(values.size() - 1) + 0.5);
    return values[std::min(i, values.size() - 1)];
  };
  s.p50_ns = rank(0.50);
  s.p99_ns = rank(0.99);
  return s;
}

struct Snapshot {
  std::vector<uint64_t> pauses;
  std::vector<CollectionRecord> collections;
  std::vector<StopRecord> stops;
  std::vector<EventRecord> reclaims, full_starts;
  Aggregate pause, stopped, mark, reclaim, total;
  uint64_t dropped;
  uint64_t gc_no;
};

void* TakeSnapshot(void* arg) {
  auto* s = static_cast<Snapshot*>(arg);
  s->pauses.assign(pauses, pauses + pause_count);
  s->collections.assign(collections, collections + collection_count);
  s->stops.assign(stops, stops + stop_count);
  s->reclaims.assign(reclaims, reclaims + reclaim_count);
  s->full_starts.assign(full_starts, full_starts + full_start_count);
  s->pause = pause_agg;
  s->stopped = stopped_agg;
  s->mark = mark_agg;
  s->reclaim = reclaim_agg;
  s->total = total_agg;
  s->dropped = dropped;
  s->gc_no = GC_get_gc_no() - gc_no_at_reset;
  return nullptr;
}

void* ResetLocked(void*) {
  pause_count = collection_count = 0;
  stop_count = reclaim_count = full_start_count = 0;
  dropped = 0;
  gc_no_at_reset = GC_get_gc_no();
  pause_agg = stopped_agg = mark_agg = reclaim_agg = total_agg = Aggregate{};
  return nullptr;
}

double Ms(uint64_t ns) { return static_cast<double>(ns) / 1e6; }

void PrintSeriesText(int fd, const char* name, const atl_gc_series& s) {
  dprintf(fd, "  %-8s count %llu  total %.3f ms  p50 %.3f ms  p99 %.3f ms  max %.3f ms\n", name,
          static_cast<unsigned long long>(s.count), Ms(s.total_ns), Ms(s.p50_ns), Ms(s.p99_ns),
          Ms(s.max_ns));
}

void PrintSeriesJson(int fd, const char* name, const atl_gc_series& s, bool last) {
  dprintf(
      fd,
      "\"%s\":{\"count\":%llu,\"total_ms\":%.6f,\"p50_ms\":%.6f,\"p99_ms\":%.6f,\"max_ms\":%.6f}%s",
      name, static_cast<unsigned long long>(s.count), Ms(s.total_ns), Ms(s.p50_ns), Ms(s.p99_ns),
      Ms(s.max_ns), last ? "" : ",");
}

std::atomic<atl_stats_section> extra_section{nullptr};
std::atomic<bool> printed_at_exit{false};

// ATOLL_GC_TRACE=FILE: one JSON object per line and collection.
void WriteTrace(const char* path) {
  const int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    std::fprintf(stderr, "atoll: ATOLL_GC_TRACE=%s: %s\n", path, std::strerror(errno));
    return;
  }
  Snapshot snap;
  GC_call_with_alloc_lock(TakeSnapshot, &snap);
  for (size_t i = 0; i < snap.collections.size(); ++i) {
    const CollectionRecord& c = snap.collections[i];
    dprintf(fd,
            "{\"collection\":%zu,\"start_ms\":%.3f,\"pause_ms\":%.3f,\"mark_ms\":%.3f,\"reclaim_"
            "ms\":%.3f,"
            "\"total_ms\":%.3f,\"heap_before\":%llu,\"heap_after\":%llu,\"free_after\":%llu}\n",
            i + 1, Ms(c.start_ns), Ms(c.stopped_ns), Ms(c.mark_ns), Ms(c.reclaim_ns),
            Ms(c.total_ns), static_cast<unsigned long long>(c.heap_before),
            static_cast<unsigned long long>(c.heap_after),
            static_cast<unsigned long long>(c.free_after));
  }
  for (size_t i = 0; i < snap.stops.size(); ++i) {
    const StopRecord& t = snap.stops[i];
    const uint64_t pause = t.suspend_ns + t.before_roots_ns + t.regions_ns + t.other_roots_ns +
                           t.after_roots_ns + t.resume_ns;
    dprintf(
        fd,
        "{\"stop\":%zu,\"start_ms\":%.3f,\"pause_ms\":%.3f,\"suspend_ms\":%.3f,\"dirty_ms\":%.3f,"
        "\"regions_ms\":%.3f,\"stacks_ms\":%.3f,\"mark_ms\":%.3f,\"resume_ms\":%.3f,\"cpu_ms\":%."
        "3f,"
        "\"region_bytes\":%llu,\"root_pushes\":%u,\"regions_whole\":%s,\"final\":%s}\n",
        i + 1, Ms(t.start_ns), Ms(pause), Ms(t.suspend_ns), Ms(t.before_roots_ns), Ms(t.regions_ns),
        Ms(t.other_roots_ns), Ms(t.after_roots_ns), Ms(t.resume_ns), Ms(t.cpu_ns),
        static_cast<unsigned long long>(t.region_bytes), t.root_pushes, t.whole ? "true" : "false",
        t.completed ? "true" : "false");
  }
  for (size_t i = 0; i < snap.reclaims.size(); ++i) {
    dprintf(fd, "{\"reclaim\":%zu,\"start_ms\":%.3f,\"ms\":%.3f}\n", i + 1,
            Ms(snap.reclaims[i].start_ns), Ms(snap.reclaims[i].ns));
  }
  for (size_t i = 0; i < snap.full_starts.size(); ++i) {
    dprintf(fd, "{\"full_start\":%zu,\"start_ms\":%.3f}\n", i + 1,
            Ms(snap.full_starts[i].start_ns));
  }
  close(fd);
}

void PrintAtExit() {
  if (printed_at_exit.exchange(true)) return;
  if (const char* trace = std::getenv("ATOLL_GC_TRACE"); trace != nullptr && trace[0] != '\0')
    WriteTrace(trace);
  if (options.stats == StatsFormat::kNone) return;
  int fd = STDERR_FILENO;
  const char* path = std::getenv("ATOLL_GC_STATS_FILE");
  if (path != nullptr && path[0] != '\0') {
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
      std::perror("atoll: ATOLL_GC_STATS_FILE");
      fd = STDERR_FILENO;
    }
  }
  atl_gc_print_stats(fd, options.stats == StatsFormat::kJson ? 1 : 0);
  if (fd != STDERR_FILENO) close(fd);
}

}  // namespace

void InstallPauseStatistics(const Options& opts) {
  run_started_ns = NowNs();
  options = opts;
  // One anonymous mapping for the five buffers (10 MB of address space):
  // the kernel provides zero pages as the records are first written, so a
  // program that never collects touches none of it (five callocs cost a
  // short program's start-up five mmaps and a page fault each).
  auto bytes = [](size_t n, size_t each) { return (n * each + 63) & ~size_t{63}; };
  const size_t sizes[] = {
      bytes(kMaxPauses, sizeof(uint64_t)), bytes(kMaxCollections, sizeof(CollectionRecord)),
      bytes(kMaxStops, sizeof(StopRecord)), bytes(kMaxEvents, sizeof(EventRecord)),
      bytes(kMaxEvents, sizeof(EventRecord))};
  size_t total = 0;
  for (size_t n : sizes) total += n;
  void* map = mmap(nullptr, total, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (map == MAP_FAILED) {
    std::fprintf(stderr, "atoll: out of memory (GC statistics buffers)\n");
    std::abort();
  }
  char* at = static_cast<char*>(map);
  pauses = reinterpret_cast<uint64_t*>(at);
  collections = reinterpret_cast<CollectionRecord*>(at += sizes[0]);
  stops = reinterpret_cast<StopRecord*>(at += sizes[1]);
  reclaims = reinterpret_cast<EventRecord*>(at += sizes[2]);
  full_starts = reinterpret_cast<EventRecord*>(at += sizes[3]);
  previous_event = GC_get_on_collection_event();
  GC_set_on_collection_event(OnEvent);
  if (opts.stats != StatsFormat::kNone || std::getenv("ATOLL_GC_TRACE") != nullptr)
    std::atexit(PrintAtExit);
}

}  // namespace atl::gc

extern "C" {

void atl_gc_get_stats(atl_gc_stats* out) {
  using namespace atl::gc;
  atl_gc_init();
  Snapshot snap;
  GC_call_with_alloc_lock(TakeSnapshot, &snap);
  std::vector<uint64_t> stopped, mark, reclaim, total;
  for (const CollectionRecord& c : snap.collections) {
    stopped.push_back(c.stopped_ns);
    mark.push_back(c.mark_ns);
    reclaim.push_back(c.reclaim_ns);
    total.push_back(c.total_ns);
  }
  out->collections = snap.total.count;
  out->pause = Series(std::move(snap.pauses), snap.pause);
  out->stopped = Series(std::move(stopped), snap.stopped);
  out->mark = Series(std::move(mark), snap.mark);
  out->reclaim = Series(std::move(reclaim), snap.reclaim);
  out->total = Series(std::move(total), snap.total);
  out->heap_bytes = GC_get_heap_size();
  out->dropped = snap.dropped;
  out->huge_page_bytes = HugePageBytes();
  out->gc_no = snap.gc_no;
}

uint64_t atl_gc_clock_origin_ns(void) { return atl::gc::run_started_ns; }

void atl_gc_reset_stats(void) {
  atl_gc_init();
  GC_call_with_alloc_lock(atl::gc::ResetLocked, nullptr);
}

void atl_gc_print_stats(int fd, int json) {
  using namespace atl::gc;
  atl_gc_stats s;
  atl_gc_get_stats(&s);
  atl_region_totals r;
  atl_region_get_totals(&r);
  const char* mode = options.manual        ? "manual"
                     : options.cards       ? "cards"
                     : options.incremental ? "incremental"
                                           : "stw";
  const double wall_ms = static_cast<double>(NowNs() - run_started_ns) / 1e6;
  const double gc_ms = static_cast<double>(s.total.total_ns) / 1e6;
  if (json != 0) {
    dprintf(
        fd,
        "{\"run\":{\"wall_ms\":%.3f,\"gc_ms\":%.3f,\"gc_share\":%.4f,\"bytes_allocated\":%llu},",
        wall_ms, gc_ms, wall_ms > 0 ? gc_ms / wall_ms : 0.0,
        static_cast<unsigned long long>(GC_get_total_bytes()));
    dprintf(fd,
            "\"gc\":{\"mode\":\"%s\",\"collections\":%llu,\"gc_no\":%llu,\"heap_bytes\":%llu,"
            "\"huge_page_bytes\":%llu,\"dropped\":%llu,",
            mode, static_cast<unsigned long long>(s.collections),
            static_cast<unsigned long long>(s.gc_no), static_cast<unsigned long long>(s.heap_bytes),
            static_cast<unsigned long long>(s.huge_page_bytes),
            static_cast<unsigned long long>(s.dropped));
    PrintSeriesJson(fd, "pause", s.pause, false);
    PrintSeriesJson(fd, "stopped", s.stopped, false);
    PrintSeriesJson(fd, "mark", s.mark, false);
    PrintSeriesJson(fd, "reclaim", s.reclaim, false);
    PrintSeriesJson(fd, "collection", s.total, true);
    dprintf(fd,
            "},\"regions\":{\"opened\":%llu,\"closed\":%llu,\"bytes_allocated\":%llu,"
            "\"peak_bytes_reserved\":%llu,\"chunks_acquired\":%llu,\"chunks_reused\":%llu,"
            "\"large_objects\":%llu,\"huge_page_objects\":%llu,\"peak_live_bytes\":%llu,"
            "\"root_bytes\":%llu}",
            static_cast<unsigned long long>(r.regions_opened),
            static_cast<unsigned long long>(r.regions_closed),
            static_cast<unsigned long long>(r.bytes_allocated),
            static_cast<unsigned long long>(r.peak_bytes_reserved),
            static_cast<unsigned long long>(r.chunks_acquired),
            static_cast<unsigned long long>(r.chunks_reused),
            static_cast<unsigned long long>(r.large_objects),
            static_cast<unsigned long long>(r.huge_page_objects),
            static_cast<unsigned long long>(r.peak_live_bytes),
            static_cast<unsigned long long>(r.root_bytes));
    if (atl_stats_section extra = extra_section.load(std::memory_order_acquire)) {
      dprintf(fd, ",");
      extra(fd, 1);
    }
    dprintf(fd, "}\n");
    return;
  }
  dprintf(fd,
          "atoll run: wall %.1f ms, in collections %.1f ms (%.1f%%), %.1f MiB allocated on the GC "
          "heap\n",
          wall_ms, gc_ms, wall_ms > 0 ? 100.0 * gc_ms / wall_ms : 0.0,
          static_cast<double>(GC_get_total_bytes()) / 1048576.0);
  dprintf(fd,
          "atoll gc (%s): %llu collections (%llu completed), heap %.1f MiB (%.0f MiB advised "
          "for huge pages)\n",
          mode, static_cast<unsigned long long>(s.collections),
          static_cast<unsigned long long>(s.gc_no), static_cast<double>(s.heap_bytes) / 1048576.0,
          static_cast<double>(s.huge_page_bytes) / 1048576.0);
  PrintSeriesText(fd, "pause", s.pause);
  PrintSeriesText(fd, "stopped", s.stopped);
  PrintSeriesText(fd, "mark", s.mark);
  PrintSeriesText(fd, "reclaim", s.reclaim);
  PrintSeriesText(fd, "total", s.total);
  dprintf(fd,
          "atoll regions: %llu opened, %llu closed, %llu bytes allocated, peak %.1f MiB reserved, "
          "%llu chunks (%llu reused), %llu large objects (%llu in huge-page mappings)\n",
          static_cast<unsigned long long>(r.regions_opened),
          static_cast<unsigned long long>(r.regions_closed),
          static_cast<unsigned long long>(r.bytes_allocated),
          static_cast<double>(r.peak_bytes_reserved) / 1048576.0,
          static_cast<unsigned long long>(r.chunks_acquired),
          static_cast<unsigned long long>(r.chunks_reused),
          static_cast<unsigned long long>(r.large_objects),
          static_cast<unsigned long long>(r.huge_page_objects));
  if (atl_stats_section extra = atl::gc::extra_section.load(std::memory_order_acquire))
    extra(fd, 0);
}

void atl_gc_add_stats_section(atl_stats_section section) {
  atl::gc::extra_section.store(section, std::memory_order_release);
}

void atl_gc_print_stats_at_exit(void) {
  atl::gc::VerifyAtExit();
  atl::gc::PrintAtExit();
}

}  // extern "C"
