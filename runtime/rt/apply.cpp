// Generic application of closures (see apply.h and the CLOSURE layout in
// runtime/abi/atoll_abi.h: code(self, a1..aN)).
#include "runtime/rt/apply.h"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include "runtime/gc/gc.h"

namespace {

using Value = atl_value;

auto AsClosure(Value f) -> atl_closure* {
  if (!atl_is_ptr(f) || atl_header_kind(atl_ptr(f)->header) != ATL_KIND_CLOSURE) {
    std::fflush(stdout);
    std::fprintf(stderr, "runtime error: applying a value that is not a function\n");
    std::_Exit(1);
  }
  return reinterpret_cast<atl_closure*>(atl_ptr(f));
}

template <size_t... I>
auto CallExact(atl_closure* c, const Value* args, std::index_sequence<I...>) -> Value {
  using Code = Value (*)(atl_closure*, decltype((void)I, Value{})...);
  return reinterpret_cast<Code>(c->code)(c, args[I]...);
}

template <size_t... N>
auto CallTable(std::index_sequence<N...>) {
  using Caller = Value (*)(atl_closure*, const Value*);
  return std::array<Caller, sizeof...(N)>{[](atl_closure* c, const Value* args) {
    return CallExact(c, args, std::make_index_sequence<N>{});
  }...};
}

// callers[n] calls a closure of arity n with args[0..n).
const auto callers = CallTable(std::make_index_sequence<ATL_MAX_CLOSURE_ARITY + 1>{});

// A partial application of arity m: env[0] = the function, env[1..k] = the
// arguments given so far. Its code gathers them with the m new ones.
template <size_t... I>
auto PapCode(atl_closure* self, decltype((void)I, Value{})... more) -> Value {
  const uint32_t given = atl_header_size(self->header) - 2;
  Value all[2 * ATL_MAX_CLOSURE_ARITY];
  for (uint32_t i = 0; i < given; ++i) all[i] = self->env[1 + i];
  const Value extra[] = {more...};
  for (size_t i = 0; i < sizeof...(I); ++i) all[given + i] = extra[i];
  return atl_apply(self->env[0], given + sizeof...(I), all);
}

template <size_t M>
auto PapFor() -> void* {
  return [&]<size_t... I>(std::index_sequence<I...>) {
    return reinterpret_cast<void*>(&PapCode<I...>);
  }
  (std::make_index_sequence<M>{});
}

template <size_t... M>
auto MakePapCodes(std::index_sequence<M...>) -> std::array<void*, sizeof...(M)> {
  return {PapFor<M>()...};
}

// pap_codes[m] is the code of a partial application still expecting m arguments.
const auto pap_codes = MakePapCodes(std::make_index_sequence<ATL_MAX_CLOSURE_ARITY + 1>{});

}  // namespace

extern "C" atl_value atl_apply(atl_value f, uint32_t n, const atl_value* args) {
  while (n > 0) {
    atl_closure* c = AsClosure(f);
    const uint32_t arity = atl_header_desc(c->header);
    if (n == arity) return callers[arity](c, args);
    if (n < arity) {
      auto* pap =
          static_cast<atl_closure*>(atl_alloc(sizeof(atl_closure) + sizeof(Value) * (1 + n)));
      pap->header = atl_make_header(ATL_KIND_CLOSURE, arity - n, 2 + n);
      pap->code = pap_codes[arity - n];
      pap->env[0] = f;
      for (uint32_t i = 0; i < n; ++i) pap->env[1 + i] = args[i];
      atl_gc_written(pap);
      return atl_from_ptr(pap);
    }
    f = callers[arity](c, args);
    args += arity;
    n -= arity;
  }
  return f;
}
