#include "runtime/mvar/copy.h"

#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <unordered_set>
#include <vector>

#include "runtime/value/tests/test_values.h"
#include "runtime/value/value.h"

using namespace atl::testing;

namespace {

// Every distinct heap object reachable from v (CON and ARRAY fields only).
std::unordered_set<uintptr_t> Objects(atl_value v) {
  std::unordered_set<uintptr_t> seen;
  std::vector<atl_value> work{v};
  while (!work.empty()) {
    const atl_value x = work.back();
    work.pop_back();
    if (!atl_is_ptr(x) || atl_is_static(x) || !seen.insert(x).second) continue;
    const atl_object* o = atl_ptr(x);
    const uint32_t kind = atl_header_kind(o->header);
    if (kind == ATL_KIND_CON || kind == ATL_KIND_ARRAY) {
      for (uint32_t i = 0; i < atl_header_size(o->header); ++i) work.push_back(o->fields[i]);
    }
  }
  return seen;
}

atl_graph_size GraphSize(atl_value v) {
  atl_graph_size g;
  atl_value_graph_size(v, &g);
  return g;
}

}  // namespace

TEST_CASE("deep copy of a diamond keeps the sharing") {
  InstallTestProgram();
  const atl_value shared = Con(kJust, {Str("shared")});
  const atl_value pair = Con(kPair, {shared, shared});
  const atl_value copy = atl_deep_copy(pair);
  REQUIRE(copy != pair);
  const atl_object* c = atl_ptr(copy);
  CHECK(c->fields[0] == c->fields[1]);
  CHECK(c->fields[0] != shared);
  CHECK(atl_ptr(c->fields[0])->fields[0] != atl_ptr(shared)->fields[0]);  // the string too
  CHECK(atl_equal(copy, pair));
  CHECK(ShowText(copy) == "(Just \"shared\", Just \"shared\")");
  CHECK(GraphSize(copy).objects == 3);
  CHECK(GraphSize(copy).bytes == GraphSize(pair).bytes);
}

TEST_CASE("deep copy of a large DAG preserves size, sharing and disjointness") {
  InstallTestProgram();
  std::vector<atl_value> subtrees;
  for (int i = 0; i < 100; ++i) {
    subtrees.push_back(Con(kRect, {Float(i + 0.5), List({Str(std::to_string(i)), atl_int(i)})}));
  }
  atl_value list = atl_nullary(kNil);
  for (int i = 0; i < 100000; ++i) list = Con(kCons, {Con(kJust, {subtrees[(i * 7) % 100]}), list});
  const atl_value arr = Array({list, list, subtrees[3]});
  const atl_value copy = atl_deep_copy(arr);
  const atl_graph_size before = GraphSize(arr);
  const atl_graph_size after = GraphSize(copy);
  CHECK(after.objects == before.objects);
  CHECK(after.bytes == before.bytes);
  // 1 array + 2*100000 list/Just cells + 100 * (Rect, Float, 2 cons, string).
  CHECK(before.objects == 1 + 200000 + 100 * 5);
  const auto original_objects = Objects(arr);
  const auto copied_objects = Objects(copy);
  CHECK(copied_objects.size() == original_objects.size());
  size_t overlap = 0;
  for (uintptr_t p : copied_objects) overlap += original_objects.count(p);
  CHECK(overlap == 0);
  CHECK(atl_ptr(copy)->fields[0] == atl_ptr(copy)->fields[1]);
  CHECK(atl_equal(copy, arr));
  atl_gc_collect();
  CHECK(atl_compare(copy, arr) == 0);
}

namespace {

// A static constructor object `Just 7`, as the compiler would emit it.
alignas(8) atl_value static_section[4] = {atl_make_header(ATL_KIND_CON, kJust, 1), atl_int(7), 0,
                                          0};
const atl_program_info kStaticProgram = [] {
  atl_program_info info{};
  info.descriptors = kDescriptors;
  info.descriptor_count = std::size(kDescriptors);
  info.static_begin = static_section;
  info.static_end = static_section + 4;
  return info;
}();

}  // namespace

TEST_CASE("deep copy skips static data") {
  atl_gc_init();
  atl_set_program_info(&kStaticProgram);
  const atl_value st = atl_from_ptr(static_section);
  CHECK(atl_is_static(st));
  CHECK(atl_deep_copy(st) == st);
  const atl_value pair = Con(kPair, {st, Str("heap")});
  const atl_value copy = atl_deep_copy(pair);
  CHECK(copy != pair);
  CHECK(atl_ptr(copy)->fields[0] == st);
  CHECK(atl_ptr(copy)->fields[1] != atl_ptr(pair)->fields[1]);
  CHECK(GraphSize(pair).objects == 2);
  CHECK(ShowText(copy) == "(Just 7, \"heap\")");
  atl_set_program_info(&kProgram);
}

TEST_CASE("deep copy handles immediates, closures and long lists") {
  InstallTestProgram();
  CHECK(atl_deep_copy(atl_int(5)) == atl_int(5));
  CHECK(atl_deep_copy(atl_nullary(kNothing)) == atl_nullary(kNothing));
  auto* clo = static_cast<atl_closure*>(atl_alloc(sizeof(atl_closure) + 2 * sizeof(atl_value)));
  clo->header = atl_make_header(ATL_KIND_CLOSURE, 1, 3);
  clo->code = reinterpret_cast<void*>(&GraphSize);
  clo->env[0] = Str("captured");
  clo->env[1] = atl_int(3);
  auto* cc = reinterpret_cast<atl_closure*>(atl_ptr(atl_deep_copy(atl_from_ptr(clo))));
  CHECK(cc != clo);
  CHECK(cc->code == clo->code);
  CHECK(cc->env[0] != clo->env[0]);
  CHECK(Text(cc->env[0]) == "captured");
  CHECK(cc->env[1] == atl_int(3));
  atl_value list = atl_nullary(kNil);
  for (int i = 0; i < 1000000; ++i) list = Con(kCons, {atl_int(i), list});
  const atl_value copy = atl_deep_copy(list);
  CHECK(atl_equal(copy, list));
  CHECK(GraphSize(copy).objects == 1000000);
}

TEST_CASE("copying a Ref stops with a runtime error") {
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    InstallTestProgram();
    auto* ref = static_cast<atl_object*>(atl_alloc(16));
    ref->header = atl_make_header(ATL_KIND_REF, 0, 1);
    ref->fields[0] = atl_int(1);
    freopen("/dev/null", "w", stderr);
    atl_deep_copy(Con(kJust, {atl_from_ptr(ref)}));
    _exit(0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 1);
}
