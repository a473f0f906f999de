// The runtime's environment variables (docs/environment.md), checked once at
// start-up: a value a variable does not accept stops the program with one
// line naming the variable and what it accepts (status 2), and an ATOLL_*
// variable no part of Atoll reads (a typo) gets a warning, instead of being
// silently ignored. The subsystems still read their own variables.
#ifndef ATOLL_RUNTIME_RT_ENV_H
#define ATOLL_RUNTIME_RT_ENV_H

namespace atl::rt {

void CheckEnvironment();

}  // namespace atl::rt

#endif  // ATOLL_RUNTIME_RT_ENV_H
