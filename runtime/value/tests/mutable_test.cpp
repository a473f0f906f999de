#include "runtime/value/mutable.h"

#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/region/region.h"
#include "runtime/value/tests/test_values.h"
#include "runtime/value/value.h"

using namespace atl::testing;

TEST_CASE("refs and mutable arrays live in the region and read back") {
  InstallTestProgram();
  atl_region* r = atl_region_open("mutable_test");
  const atl_value ref = atl_ref_new(r, ATL_REGION_TRACED, Str("start"));
  CHECK(atl_header_kind(atl_ptr(ref)->header) == ATL_KIND_REF);
  CHECK(Text(atl_ptr(ref)->fields[0]) == "start");
  const atl_value arr = atl_mutarray_new(r, ATL_REGION_PLAIN, 5, atl_int(0));
  CHECK(atl_array_length(arr) == 5);
  for (int i = 0; i < 5; ++i) CHECK(atl_ptr(arr)->fields[i] == atl_int(0));
  CHECK(ShowText(ref) == "<Ref>");
  atl_region_stats s;
  atl_region_get_stats(r, &s);
  CHECK(s.bytes_allocated == 16 + 8 + 5 * 8);
  CHECK(atl_array_length(atl_mutarray_new(r, ATL_REGION_PLAIN, 0, atl_int(1))) == 0);
  atl_region_close(r);
}

TEST_CASE("freeze copies to the GC heap; thaw copies back into a region") {
  InstallTestProgram();
  atl_region* r = atl_region_open("mutable_test");
  const atl_value arr = atl_mutarray_new(r, ATL_REGION_TRACED, 3, atl_unit());
  atl_ptr(arr)->fields[0] = atl_int(1);
  atl_ptr(arr)->fields[1] = Str("two");
  atl_ptr(arr)->fields[2] = Con(kJust, {atl_int(3)});
  const atl_value frozen = atl_freeze(arr);
  atl_ptr(arr)->fields[0] = atl_int(99);  // later writes do not reach the frozen copy
  CHECK(ShowText(frozen) == "arrayFromList [1, \"two\", Just 3]");
  const atl_value ints = atl_freeze(atl_mutarray_new(r, ATL_REGION_PLAIN, 4, atl_int(7)));
  CHECK(ShowText(ints) == "arrayFromList [7, 7, 7, 7]");
  const atl_value thawed = atl_thaw(r, ATL_REGION_TRACED, frozen);
  CHECK(atl_header_kind(atl_ptr(thawed)->header) == ATL_KIND_MUTARRAY);
  atl_ptr(thawed)->fields[1] = atl_int(2);
  CHECK(ShowText(frozen) == "arrayFromList [1, \"two\", Just 3]");
  CHECK(atl_array_length(thawed) == 3);
  atl_region_close(r);
  atl_gc_collect();
  CHECK(atl_equal(frozen, Array({atl_int(1), Str("two"), Con(kJust, {atl_int(3)})})));
}

TEST_CASE("MutableArrays of Bool are packed one byte per element") {
  InstallTestProgram();
  atl_region* r = atl_region_open("packed");
  const atl_value flags = atl_mutarray_new(r, ATL_REGION_PLAIN, 11, atl_bool(1));
  CHECK(atl_header_desc(atl_ptr(flags)->header) == ATL_MUTARRAY_BOOL_BYTES);
  CHECK(atl_array_length(flags) == 11);
  atl_region_stats s;
  atl_region_get_stats(r, &s);
  CHECK(s.bytes_allocated == 8 + 16);  // header + 11 bytes rounded up to 16
  atl_mutarray_set(flags, 3, atl_bool(0));
  CHECK(atl_mutarray_get(flags, 3) == atl_bool(0));
  CHECK(atl_mutarray_get(flags, 10) == atl_bool(1));
  const atl_value frozen = atl_freeze(flags);
  CHECK(ShowText(frozen) ==
        "arrayFromList [True, True, True, False, True, True, True, True, True, True, True]");
  const atl_value thawed = atl_thaw(r, ATL_REGION_PLAIN, frozen);
  CHECK(atl_header_desc(atl_ptr(thawed)->header) == ATL_MUTARRAY_BOOL_BYTES);
  CHECK(atl_mutarray_get(thawed, 3) == atl_bool(0));
  CHECK(atl_mutarray_get(thawed, 4) == atl_bool(1));
  // Other element types keep one word per element.
  const atl_value words = atl_mutarray_new(r, ATL_REGION_PLAIN, 2, atl_int(5));
  CHECK(atl_header_desc(atl_ptr(words)->header) == ATL_MUTARRAY_WORDS);
  CHECK(atl_mutarray_get(words, 1) == atl_int(5));
  atl_region_close(r);
}

TEST_CASE("a negative array size is a runtime error") {
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    InstallTestProgram();
    atl_region* r = atl_region_open("bad");
    freopen("/dev/null", "w", stderr);
    atl_mutarray_new(r, ATL_REGION_PLAIN, -1, atl_int(0));
    _exit(0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 1);
}
