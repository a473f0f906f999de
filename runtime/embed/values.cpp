// Host values and the conversions at the boundary (values.h).
#include "runtime/embed/values.h"

#include <bit>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "runtime/embed/promise.h"
#include "runtime/gc/gc.h"
#include "runtime/value/string.h"
#include "runtime/value/value.h"

namespace atl::embed {
namespace {

uint32_t tuple_descriptors[10] = {0, 0, ATL_DESC_PAIR, 0, 0, 0, 0, 0, 0, 0};
const atl_program_info* program = nullptr;

// The fields of a record code `R{f:<t>,g:<t>}` starting at `at`: each
// name and where its type's code starts. Returns the index after the '}'.
size_t RecordFields(const char* code, size_t at,
                    std::vector<std::pair<std::string, size_t>>* fields) {
  at += 2;  // "R{"
  while (code[at] != '}') {
    const char* colon = std::strchr(code + at, ':');
    const size_t type_at = static_cast<size_t>(colon - code) + 1;
    if (fields != nullptr) fields->emplace_back(std::string(code + at, colon), type_at);
    at = CodeEnd(code, type_at);
    if (code[at] == ',') ++at;
  }
  return at + 1;
}

// The descriptor of the record type with these (sorted) field names.
const atl_descriptor* RecordDescriptor(const std::vector<std::pair<std::string, size_t>>& fields,
                                       uint32_t* id) {
  for (uint32_t i = 0; program != nullptr && i < program->descriptor_count; ++i) {
    const atl_descriptor& d = program->descriptors[i];
    if (d.shape != ATL_SHAPE_RECORD || d.arity != fields.size()) continue;
    bool same = true;
    for (uint32_t j = 0; same && j < d.arity; ++j) {
      same = false;
      for (const auto& f : fields) same = same || f.first == d.field_names[j];
    }
    if (same) {
      *id = i;
      return &d;
    }
  }
  std::abort();  // the lowering registers every record type of an export (compiler/lower/embed.cpp)
}

int FieldIndex(const atoll_value* v, const std::string& name) {
  for (size_t i = 0; i < v->names.size(); ++i)
    if (v->names[i] == name) return static_cast<int>(i);
  return -1;
}

constexpr int64_t kMinInt = -(int64_t{1} << 62);
constexpr int64_t kMaxInt = (int64_t{1} << 62) - 1;

bool ValidCodePoint(uint32_t c) { return c <= 0x10FFFF && (c < 0xD800 || c > 0xDFFF); }

atoll_value* Make(atoll_kind kind) {
  auto* v = new (std::nothrow) atoll_value();
  if (v != nullptr) v->kind = kind;
  return v;
}

atoll_value* Compound(atoll_kind kind, atoll_value* const* items, size_t count) {
  bool ok = items != nullptr || count == 0;
  for (size_t i = 0; ok && i < count; ++i) ok = items[i] != nullptr;
  atoll_value* v = ok ? Make(kind) : nullptr;
  if (v == nullptr) {
    for (size_t i = 0; items != nullptr && i < count; ++i) atoll_value_free(items[i]);
    return nullptr;
  }
  v->items.assign(items, items + count);
  return v;
}

}  // namespace

size_t CodeEnd(const char* code, size_t at) {
  switch (code[at]) {
    case 'L':
    case 'P':
      return CodeEnd(code, at + 1);
    case 'T': {
      const int n = code[at + 1] - '0';
      at += 2;
      for (int i = 0; i < n; ++i) at = CodeEnd(code, at);
      return at;
    }
    case 'R':
      return RecordFields(code, at, nullptr);
    default:
      return at + 1;
  }
}

bool Matches(const atoll_value* v, const char* code, size_t* at) {
  const char c = code[(*at)++];
  if (v == nullptr) return false;
  switch (c) {
    case 'i':
      return v->kind == ATOLL_INT && v->i >= kMinInt && v->i <= kMaxInt;
    case 'f':
      return v->kind == ATOLL_FLOAT;
    case 'b':
      return v->kind == ATOLL_BOOL;
    case 'c':
      return v->kind == ATOLL_CHAR;
    case 's':
      return v->kind == ATOLL_STRING;
    case 'u':
      return v->kind == ATOLL_UNIT;
    case 'P': {
      const size_t element = *at;
      *at = CodeEnd(code, element);
      return v->kind == ATOLL_PROMISE &&
             PromiseCanHold(v->promise, std::string(code + element, code + *at));
    }
    case 'L': {
      const size_t element = *at;
      *at = CodeEnd(code, element);
      if (v->kind != ATOLL_LIST) return false;
      for (const atoll_value* item : v->items) {
        size_t pos = element;
        if (!Matches(item, code, &pos)) return false;
      }
      return true;
    }
    case 'T': {
      const size_t n = static_cast<size_t>(code[(*at)++] - '0');
      bool ok = v->kind == ATOLL_TUPLE && v->items.size() == n;
      for (size_t i = 0; i < n; ++i) {
        if (ok) {
          ok = Matches(v->items[i], code, at);
        } else {
          *at = CodeEnd(code, *at);
        }
      }
      return ok;
    }
    case 'R': {
      std::vector<std::pair<std::string, size_t>> fields;
      *at = RecordFields(code, *at - 1, &fields);
      if (v->kind != ATOLL_RECORD || v->items.size() != fields.size()) return false;
      for (const auto& [name, type_at] : fields) {
        const int i = FieldIndex(v, name);
        size_t pos = type_at;
        if (i < 0 || !Matches(v->items[i], code, &pos)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

bool Matches(const atoll_value* v, const std::string& code) {
  size_t at = 0;
  return Matches(v, code.c_str(), &at) && at == code.size();
}

void SetProgram(const atl_program_info* info) {
  program = info;
  for (uint32_t id = 0; id < info->descriptor_count; ++id) {
    const atl_descriptor& d = info->descriptors[id];
    if (d.shape == ATL_SHAPE_TUPLE && d.arity >= 2 && d.arity <= 9 &&
        tuple_descriptors[d.arity] == 0)
      tuple_descriptors[d.arity] = id;
  }
}

atl_value ToAtoll(const atoll_value* v, const char* code, size_t* at) {
  const char c = code[(*at)++];
  switch (c) {
    case 'i':
      return atl_int(v->i);
    case 'f':
      return atl_float_new(v->f);
    case 'b':
      return atl_bool(v->i != 0);
    case 'c':
      return atl_char(static_cast<uint32_t>(v->i));
    case 's':
      return atl_string_new(v->s.data(), v->s.size());
    case 'u':
      return atl_unit();
    case 'P': {
      const size_t element = *at;
      *at = CodeEnd(code, element);
      return PromiseHandle(v->promise, std::string(code + element, code + *at));
    }
    case 'L': {
      const size_t element = *at;
      *at = CodeEnd(code, element);
      atl_value list = atl_nullary(ATL_DESC_NIL);
      for (size_t i = v->items.size(); i-- > 0;) {
        size_t pos = element;
        const atl_value head = ToAtoll(v->items[i], code, &pos);
        atl_object* cell = atl_con_alloc(ATL_DESC_CONS, 2);
        cell->fields[0] = head;
        cell->fields[1] = list;
        atl_gc_written(cell);
        list = atl_from_ptr(cell);
      }
      return list;
    }
    case 'T': {
      const uint32_t n = static_cast<uint32_t>(code[(*at)++] - '0');
      atl_value fields[9];
      for (uint32_t i = 0; i < n; ++i) fields[i] = ToAtoll(v->items[i], code, at);
      atl_object* tuple = atl_con_alloc(tuple_descriptors[n], n);
      for (uint32_t i = 0; i < n; ++i) tuple->fields[i] = fields[i];
      atl_gc_written(tuple);
      return atl_from_ptr(tuple);
    }
    case 'R': {
      std::vector<std::pair<std::string, size_t>> fields;
      *at = RecordFields(code, *at - 1, &fields);
      uint32_t id = 0;
      const atl_descriptor* d = RecordDescriptor(fields, &id);
      atl_object* record = atl_con_alloc(id, d->arity);
      for (uint32_t j = 0; j < d->arity; ++j) {  // the layout's order
        size_t pos = 0;
        for (const auto& f : fields)
          if (f.first == d->field_names[j]) pos = f.second;
        const atl_value field = ToAtoll(v->items[FieldIndex(v, d->field_names[j])], code, &pos);
        record->fields[j] = atl_desc_raw_field(d, j)  // a Float field stored raw
                                ? std::bit_cast<atl_value>(atl_float_get(field))
                                : field;
        atl_gc_written(record);  // before the next field's allocations
      }
      return atl_from_ptr(record);
    }
    default:
      std::abort();  // codes come from the compiler (compiler/check/exports.cpp)
  }
}

atoll_value* FromAtoll(atl_value v, const char* code, size_t* at) {
  const char c = code[(*at)++];
  switch (c) {
    case 'i':
      return atoll_int(atl_int_get(v));
    case 'f':
      return atoll_float(atl_float_get(v));
    case 'b':
      return atoll_bool(v == atl_bool(1));
    case 'c':
      return atoll_char(atl_char_get(v));
    case 's':
      return atoll_string(atl_string_bytes(v), atl_string_length(v));
    case 'u':
      return atoll_unit();
    case 'P': {
      *at = CodeEnd(code, *at);
      return atoll_promise_as_value(PromiseOfHandle(v));
    }
    case 'L': {
      const size_t element = *at;
      *at = CodeEnd(code, element);
      atoll_value* list = Make(ATOLL_LIST);
      while (!atl_is_nullary(v)) {
        const atl_object* cell = atl_ptr(v);
        size_t pos = element;
        list->items.push_back(FromAtoll(cell->fields[0], code, &pos));
        v = cell->fields[1];
      }
      return list;
    }
    case 'T': {
      const uint32_t n = static_cast<uint32_t>(code[(*at)++] - '0');
      atoll_value* tuple = Make(ATOLL_TUPLE);
      for (uint32_t i = 0; i < n; ++i)
        tuple->items.push_back(FromAtoll(atl_ptr(v)->fields[i], code, at));
      return tuple;
    }
    case 'R': {  // the fields by name, in the code's (sorted) order
      std::vector<std::pair<std::string, size_t>> fields;
      *at = RecordFields(code, *at - 1, &fields);
      const atl_object* o = atl_ptr(v);
      const atl_descriptor& d = program->descriptors[atl_header_desc(o->header)];
      atoll_value* record = Make(ATOLL_RECORD);
      for (const auto& [name, type_at] : fields) {
        for (uint32_t j = 0; j < d.arity; ++j) {
          if (name != d.field_names[j]) continue;
          size_t pos = type_at;
          record->names.push_back(name);
          record->items.push_back(FromAtoll(atl_con_field(o, j), code, &pos));
        }
      }
      return record;
    }
    default:
      std::abort();
  }
}

}  // namespace atl::embed

using atl::embed::Compound;
using atl::embed::FieldIndex;
using atl::embed::Make;

extern "C" {

atoll_value* atoll_int(int64_t n) {
  atoll_value* v = Make(ATOLL_INT);
  if (v != nullptr) v->i = n;
  return v;
}

atoll_value* atoll_float(double d) {
  atoll_value* v = Make(ATOLL_FLOAT);
  if (v != nullptr) v->f = d;
  return v;
}

atoll_value* atoll_bool(bool b) {
  atoll_value* v = Make(ATOLL_BOOL);
  if (v != nullptr) v->i = b ? 1 : 0;
  return v;
}

atoll_value* atoll_char(uint32_t code_point) {
  if (!atl::embed::ValidCodePoint(code_point)) return nullptr;
  atoll_value* v = Make(ATOLL_CHAR);
  if (v != nullptr) v->i = code_point;
  return v;
}

atoll_value* atoll_string(const char* utf8, size_t length) {
  if (utf8 == nullptr && length > 0) return nullptr;
  if (length > 0 && atl_utf8_valid_prefix(utf8, length) != length) return nullptr;
  atoll_value* v = Make(ATOLL_STRING);
  if (v != nullptr && length > 0) v->s.assign(utf8, length);
  return v;
}

atoll_value* atoll_unit(void) { return Make(ATOLL_UNIT); }

atoll_value* atoll_list(atoll_value* const* items, size_t count) {
  return Compound(ATOLL_LIST, items, count);
}

atoll_value* atoll_tuple(atoll_value* const* items, size_t count) {
  if (count < 2 || count > 9) {
    for (size_t i = 0; items != nullptr && i < count; ++i) atoll_value_free(items[i]);
    return nullptr;
  }
  return Compound(ATOLL_TUPLE, items, count);
}

atoll_value* atoll_record(const char* const* names, atoll_value* const* items, size_t count) {
  bool ok = count > 0 && names != nullptr;
  for (size_t i = 0; ok && i < count; ++i) {
    ok = names[i] != nullptr;
    for (size_t j = 0; ok && j < i; ++j) ok = std::strcmp(names[i], names[j]) != 0;
  }
  atoll_value* v = Compound(ATOLL_RECORD, items, count);  // frees the items on failure
  if (v == nullptr || !ok) {
    atoll_value_free(v);
    return nullptr;
  }
  for (size_t i = 0; i < count; ++i) v->names.emplace_back(names[i]);
  return v;
}

atoll_value* atoll_promise_as_value(atoll_promise* p) {
  if (p == nullptr) return nullptr;
  atoll_value* v = Make(ATOLL_PROMISE);
  if (v == nullptr) return nullptr;
  atoll_promise_retain(p);
  v->promise = p;
  return v;
}

atoll_value* atoll_value_copy(const atoll_value* v) {
  if (v == nullptr) return nullptr;
  atoll_value* c = Make(v->kind);
  if (c == nullptr) return nullptr;
  c->i = v->i;
  c->f = v->f;
  c->s = v->s;
  c->names = v->names;
  for (const atoll_value* item : v->items) c->items.push_back(atoll_value_copy(item));
  if (v->promise != nullptr) {
    atoll_promise_retain(v->promise);
    c->promise = v->promise;
  }
  return c;
}

void atoll_value_free(atoll_value* v) {
  if (v == nullptr) return;
  for (atoll_value* item : v->items) atoll_value_free(item);
  if (v->promise != nullptr) atoll_promise_release(v->promise);
  delete v;
}

atoll_kind atoll_value_kind(const atoll_value* v) {
  return v == nullptr ? static_cast<atoll_kind>(0) : v->kind;
}

static int Get(const atoll_value* v, atoll_kind kind, const void* out) {
  if (v == nullptr || out == nullptr) return ATOLL_E_INVALID;
  return v->kind == kind ? ATOLL_OK : ATOLL_E_TYPE;
}

int atoll_get_int(const atoll_value* v, int64_t* out) {
  const int s = Get(v, ATOLL_INT, out);
  if (s == ATOLL_OK) *out = v->i;
  return s;
}

int atoll_get_float(const atoll_value* v, double* out) {
  const int s = Get(v, ATOLL_FLOAT, out);
  if (s == ATOLL_OK) *out = v->f;
  return s;
}

int atoll_get_bool(const atoll_value* v, bool* out) {
  const int s = Get(v, ATOLL_BOOL, out);
  if (s == ATOLL_OK) *out = v->i != 0;
  return s;
}

int atoll_get_char(const atoll_value* v, uint32_t* out) {
  const int s = Get(v, ATOLL_CHAR, out);
  if (s == ATOLL_OK) *out = static_cast<uint32_t>(v->i);
  return s;
}

int atoll_get_string(const atoll_value* v, const char** utf8, size_t* length) {
  const int s = Get(v, ATOLL_STRING, utf8);
  if (s != ATOLL_OK) return s;
  *utf8 = v->s.c_str();
  if (length != nullptr) *length = v->s.size();
  return ATOLL_OK;
}

size_t atoll_value_count(const atoll_value* v) { return v == nullptr ? 0 : v->items.size(); }

const atoll_value* atoll_value_item(const atoll_value* v, size_t i) {
  return v != nullptr && i < v->items.size() ? v->items[i] : nullptr;
}

const char* atoll_value_field_name(const atoll_value* v, size_t i) {
  return v != nullptr && i < v->names.size() ? v->names[i].c_str() : nullptr;
}

const atoll_value* atoll_value_field(const atoll_value* v, const char* name) {
  if (v == nullptr || name == nullptr) return nullptr;
  const int i = atl::embed::FieldIndex(v, name);
  return i < 0 ? nullptr : v->items[i];
}

void atoll_string_free(char* s) { std::free(s); }

}  // extern "C"
