// Standard output and input of a compiled program, shared by all its
// threads and written once against the IO layer: a thread that has to wait
// (a full pipe, a slow terminal, input not typed yet) parks its fiber,
// never its worker.
//
// Output is buffered in one process-wide buffer (64 KiB) and written when
// it fills, at every newline when stdout is a terminal, before a read from
// stdin (a prompt shows first), and on every way the process ends
// (FlushAtExit; EmergencyFlush from a signal handler).
#ifndef ATOLL_RUNTIME_RT_OUTPUT_H
#define ATOLL_RUNTIME_RT_OUTPUT_H

#include <cstddef>
#include <string>

namespace atl::rt::output {

void Init();  // once, at start-up: line-buffered when stdout is a terminal
// Line-buffered from now on whatever stdout is (an embedded runtime: the
// host's own output interleaves with the program's, docs/embedding.md).
void SetLineBuffered();
void Write(const char* bytes, size_t n);
void Flush();  // writes what is buffered (parks while the write blocks)
// At exit: writes what is buffered with plain system calls. Returns the
// errno of the first failed write of the run (0 when all succeeded).
int FlushAtExit();
// From a signal handler: writes the buffer if no thread is appending now.
void EmergencyFlush();

// One line of stdin without its '\n'; false at end of input with nothing
// read. Flushes stdout first.
bool ReadLine(std::string* line);

}  // namespace atl::rt::output

#endif  // ATOLL_RUNTIME_RT_OUTPUT_H
