// Host values, promises and the misuse statuses of runtime/abi/atoll_embed.h
// that need no compiled program (this binary links none: atoll_start must
// say so). The hosts in examples/embed/ cover the rest.
#include "runtime/embed/values.h"

#include <doctest/doctest.h>

#include <cstring>
#include <thread>

#include "runtime/abi/atoll_embed.h"

TEST_CASE("scalars are built and read back, and read as their own kind only") {
  atoll_value* i = atoll_int(-42);
  int64_t n = 0;
  CHECK(atoll_get_int(i, &n) == ATOLL_OK);
  CHECK(n == -42);
  double d = 0;
  CHECK(atoll_get_float(i, &d) == ATOLL_E_TYPE);
  CHECK(atoll_get_int(nullptr, &n) == ATOLL_E_INVALID);
  atoll_value_free(i);

  atoll_value* s = atoll_string("h\xc3\xa9llo", 6);
  const char* bytes = nullptr;
  size_t len = 0;
  CHECK(atoll_get_string(s, &bytes, &len) == ATOLL_OK);
  CHECK(len == 6);
  CHECK(std::strcmp(bytes, "h\xc3\xa9llo") == 0);
  atoll_value_free(s);
  CHECK(atoll_string("\xff", 1) == nullptr);  // not UTF-8
  CHECK(atoll_char(0xD800) == nullptr);       // a surrogate
  CHECK(atoll_char(0x110000) == nullptr);
}

TEST_CASE("lists and tuples own their items and match boundary codes") {
  atoll_value* items[3] = {atoll_int(1), atoll_int(2), atoll_int(3)};
  atoll_value* list = atoll_list(items, 3);
  CHECK(atoll_value_kind(list) == ATOLL_LIST);
  CHECK(atoll_value_count(list) == 3);
  int64_t n = 0;
  CHECK(atoll_get_int(atoll_value_item(list, 2), &n) == ATOLL_OK);
  CHECK(n == 3);
  CHECK(atoll_value_item(list, 3) == nullptr);
  CHECK(atl::embed::Matches(list, "Li"));
  CHECK_FALSE(atl::embed::Matches(list, "Ls"));
  atoll_value* pair_items[2] = {atoll_string("a", 1), list};
  atoll_value* pair = atoll_tuple(pair_items, 2);
  CHECK(atl::embed::Matches(pair, "T2sLi"));
  CHECK_FALSE(atl::embed::Matches(pair, "T2ss"));
  atoll_value* copy = atoll_value_copy(pair);
  atoll_value_free(pair);
  CHECK(atl::embed::Matches(copy, "T2sLi"));
  atoll_value_free(copy);
  atoll_value* one[1] = {atoll_int(1)};
  CHECK(atoll_tuple(one, 1) == nullptr);                                  // tuples have 2..9 items
  CHECK(atl::embed::Matches(atoll_int(int64_t{1} << 62), "i") == false);  // beyond 63 bits
}

TEST_CASE("records match by field name, in any order") {
  const char* names[2] = {"y", "x"};
  atoll_value* items[2] = {atoll_string("b", 1), atoll_int(1)};
  atoll_value* r = atoll_record(names, items, 2);
  CHECK(atoll_value_kind(r) == ATOLL_RECORD);
  CHECK(atl::embed::Matches(r, "R{x:i,y:s}"));
  CHECK_FALSE(atl::embed::Matches(r, "R{x:i,y:i}"));
  CHECK_FALSE(atl::embed::Matches(r, "R{x:i,z:s}"));
  CHECK_FALSE(atl::embed::Matches(r, "R{x:i}"));
  CHECK(std::strcmp(atoll_value_field_name(r, 0), "y") == 0);
  int64_t n = 0;
  CHECK(atoll_get_int(atoll_value_field(r, "x"), &n) == ATOLL_OK);
  CHECK(n == 1);
  CHECK(atoll_value_field(r, "z") == nullptr);
  atoll_value* copy = atoll_value_copy(r);
  atoll_value_free(r);
  CHECK(atl::embed::Matches(copy, "LR{x:i,y:s}") == false);
  CHECK(atl::embed::CodeEnd("LR{x:i,y:T2sR{a:b}}i", 0) == 19);
  atoll_value_free(copy);
  const char* twice[2] = {"x", "x"};
  atoll_value* dup_items[2] = {atoll_int(1), atoll_int(2)};
  CHECK(atoll_record(twice, dup_items, 2) == nullptr);  // a name twice
}

TEST_CASE("a promise settles once, from any thread") {
  atoll_promise* p = atoll_promise_new();
  CHECK(atoll_promise_get_state(p) == ATOLL_PENDING);
  CHECK(atoll_promise_result(p) == nullptr);
  int first = -100;
  std::thread t([&] { first = atoll_promise_resolve(p, atoll_int(7)); });
  t.join();
  CHECK(first == ATOLL_OK);
  atoll_value* again = atoll_int(8);
  CHECK(atoll_promise_resolve(p, again) == ATOLL_E_ALREADY);  // the caller keeps `again`
  atoll_value_free(again);
  CHECK(atoll_promise_reject(p, "late") == ATOLL_E_ALREADY);
  CHECK(atoll_promise_get_state(p) == ATOLL_RESOLVED);
  int64_t n = 0;
  CHECK(atoll_get_int(atoll_promise_result(p), &n) == ATOLL_OK);
  CHECK(n == 7);
  CHECK(atoll_promise_reason(p) == nullptr);
  atoll_promise_release(p);

  atoll_promise* r = atoll_promise_new();
  CHECK(atoll_promise_reject(r, "no") == ATOLL_OK);
  CHECK(std::strcmp(atoll_promise_reason(r), "no") == 0);
  CHECK(atoll_promise_resolve(r, nullptr) == ATOLL_E_INVALID);
  atoll_promise_release(r);
}

static void Never(void*, atoll_promise*) {}

TEST_CASE("the loop refuses calls before a start, and a start without a program") {
  int fd = 0;
  int ms = 0;
  CHECK(atoll_notify_fd(&fd) == ATOLL_E_NOT_STARTED);
  CHECK(atoll_timeout_ms(&ms) == ATOLL_E_NOT_STARTED);
  CHECK(atoll_tick(nullptr) == ATOLL_E_NOT_STARTED);
  CHECK(atoll_shutdown(0, nullptr) == ATOLL_E_NOT_STARTED);
  atoll_promise* p = atoll_promise_new();
  CHECK(atoll_promise_then(p, Never, nullptr) == ATOLL_E_NOT_STARTED);
  atoll_promise_release(p);
  CHECK(atoll_start() == ATOLL_E_NO_PROGRAM);
  CHECK(std::strlen(atoll_strerror(ATOLL_E_WRONG_THREAD)) > 0);
}
