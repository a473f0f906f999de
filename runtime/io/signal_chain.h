// Installing a SIGSEGV handler and passing a signal on to the handler that
// was installed before ours. The
// runtime's SIGSEGV handlers (stack overflow of main, fiber guard pages,
// ATOLL_REGION_CHECK's protected chunks) each recognise their own faults
// and hand every other one down the chain. Header-only, so any runtime
// library can use it without a link dependency.
#ifndef ATOLL_IO_SIGNAL_CHAIN_H
#define ATOLL_IO_SIGNAL_CHAIN_H

#include <signal.h>

namespace atl::io {

// Installs `handler` for SIGSEGV (siginfo, on the alternate stack, re-entrant
// so a fault in a chained handler is handled too), keeping the handler it
// replaces in `previous` for ChainSignal.
inline void InstallSegvHandler(void (*handler)(int, siginfo_t*, void*),
                               struct sigaction* previous) {
  struct sigaction action {};
  action.sa_sigaction = handler;
  action.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
  sigemptyset(&action.sa_mask);
  sigaction(SIGSEGV, &action, previous);
}

// Calls `previous` for (sig, info, context); when it was the default
// action (or ignore), restores the default so the faulting access repeats
// and the process dies the usual way.
inline void ChainSignal(const struct sigaction& previous, int sig, siginfo_t* info, void* context) {
  if ((previous.sa_flags & SA_SIGINFO) != 0 && previous.sa_sigaction != nullptr) {
    previous.sa_sigaction(sig, info, context);
  } else if (previous.sa_handler != SIG_DFL && previous.sa_handler != SIG_IGN) {
    previous.sa_handler(sig);
  } else {
    signal(sig, SIG_DFL);
  }
}

}  // namespace atl::io

#endif  // ATOLL_IO_SIGNAL_CHAIN_H
