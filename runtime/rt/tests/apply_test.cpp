// Generic application: exact calls, partial application (also of partial
// applications), over-application, and actions as region-expecting closures.
#include "runtime/rt/apply.h"

#include <doctest/doctest.h>

#include "runtime/gc/gc.h"

namespace {

auto Closure(void* code, uint32_t arity, std::initializer_list<atl_value> env = {}) -> atl_value {
  auto* c = static_cast<atl_closure*>(atl_alloc(sizeof(atl_closure) + 8 * env.size()));
  c->header = atl_make_header(ATL_KIND_CLOSURE, arity, 1 + static_cast<uint32_t>(env.size()));
  c->code = code;
  uint32_t i = 0;
  for (atl_value v : env) c->env[i++] = v;
  return atl_from_ptr(c);
}

// f a b c = 100a + 10b + c (distinguishes argument order)
atl_value Digits(atl_closure*, atl_value a, atl_value b, atl_value c) {
  return atl_int(100 * atl_int_get(a) + 10 * atl_int_get(b) + atl_int_get(c));
}

// adder k = \x -> x + k: returns a closure capturing k.
atl_value AddK(atl_closure* self, atl_value x) {
  return atl_int(atl_int_get(x) + atl_int_get(self->env[0]));
}
atl_value MakeAdder(atl_closure*, atl_value k) {
  return Closure(reinterpret_cast<void*>(&AddK), 1, {k});
}

// An action `tell n`: expects the region last; records what it ran with.
atl_value last_region = 0;
atl_value Tell(atl_closure*, atl_value n, atl_value region) {
  last_region = region;
  return atl_int(atl_int_get(n) * 2);
}

}  // namespace

TEST_CASE("exact, partial and over-application") {
  atl_gc_init();
  const atl_value f = Closure(reinterpret_cast<void*>(&Digits), 3);
  const atl_value args[] = {atl_int(1), atl_int(2), atl_int(3)};
  CHECK(atl_int_get(atl_apply(f, 3, args)) == 123);

  const atl_value p1 = atl_apply(f, 1, args);  // f 1
  CHECK(atl_header_desc(atl_ptr(p1)->header) == 2);
  const atl_value rest[] = {atl_int(4), atl_int(5)};
  CHECK(atl_int_get(atl_apply(p1, 2, rest)) == 145);
  const atl_value p2 = atl_apply(p1, 1, rest);  // (f 1) 4
  const atl_value six = atl_int(6);
  CHECK(atl_int_get(atl_apply(p2, 1, &six)) == 146);
  CHECK(atl_int_get(atl_apply(p1, 2, rest)) == 145);

  const atl_value make = Closure(reinterpret_cast<void*>(&MakeAdder), 1);
  const atl_value two[] = {atl_int(10), atl_int(7)};
  CHECK(atl_int_get(atl_apply(make, 2, two)) == 17);  // (adder 10) 7 in one call
}

TEST_CASE("an action is a closure run by applying it to the region") {
  atl_gc_init();
  const atl_value tell = Closure(reinterpret_cast<void*>(&Tell), 2);
  const atl_value n = atl_int(21);
  const atl_value action = atl_apply(tell, 1, &n);  // `tell 21` as a value: nothing ran
  CHECK(last_region == 0);
  const atl_value region = 0x1000;
  CHECK(atl_int_get(atl_apply(action, 1, &region)) == 42);
  CHECK(last_region == region);
}
