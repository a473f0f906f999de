// Deep copy with sharing, and graph size, over immutable value graphs.
//
// Both walks are iterative (explicit work list), so a million-element list
// needs no deep native stack. During a copy every new object is linked into
// its parent as soon as it exists, and the root copy is on this frame's
// stack, so the collector sees all of them although the table and work list
// live in malloc'd memory.
#include "runtime/mvar/copy.h"

#include <gc/gc.h>

#include <cstring>
#include <vector>

#include "runtime/gc/gc.h"
#include "runtime/value/show.h"
#include "runtime/value/value.h"
#include "runtime/value/value_internal.h"

namespace atl::mvar {
namespace {

// Open-addressing map from original object to its copy (or to a marker),
// keyed by address. Capacity is a power of two, at most half full.
class AddressMap {
 public:
  AddressMap() : slots_(64) {}

  // The value stored for key, or nullptr.
  atl_object* Find(const atl_object* key) const {
    for (size_t i = Hash(key) & Mask();; i = (i + 1) & Mask()) {
      const Slot& s = slots_[i];
      if (s.key == key) return s.value;
      if (s.key == nullptr) return nullptr;
    }
  }

  void Insert(const atl_object* key, atl_object* value) {
    if (2 * (size_ + 1) > slots_.size()) Grow();
    Place(key, value);
    ++size_;
  }

 private:
  struct Slot {
    const atl_object* key = nullptr;
    atl_object* value = nullptr;
  };

  size_t Mask() const { return slots_.size() - 1; }
  static size_t Hash(const atl_object* p) {
    return static_cast<size_t>((reinterpret_cast<uintptr_t>(p) >> 3) * 0x9e3779b97f4a7c15ULL >> 17);
  }

  void Place(const atl_object* key, atl_object* value) {
    size_t i = Hash(key) & Mask();
    while (slots_[i].key != nullptr) i = (i + 1) & Mask();
    slots_[i] = Slot{key, value};
  }

  void Grow() {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    for (const Slot& s : old) {
      if (s.key != nullptr) Place(s.key, s.value);
    }
  }

  std::vector<Slot> slots_;
  size_t size_ = 0;
};

// Whether field i is a raw double (a record's Float, atl_raw_fields).
bool IsRaw(uint64_t raw, size_t i) { return i < 64 && ((raw >> i) & 1u) != 0; }

bool IsStatic(const atl_object* o) { return atl_points_into_heap(atl_from_ptr(o)) == 0; }

// Bytes of an object, header included, and whether it holds values.
struct Layout {
  size_t bytes;
  size_t first_value;  // index into fields[] of the first atl_value
  size_t values;       // number of atl_values from there
};

Layout LayoutOf(const atl_object* o) {
  const atl_header h = o->header;
  const size_t size = atl_header_size(h);
  switch (static_cast<atl_kind>(atl_header_kind(h))) {
    case ATL_KIND_CON:
    case ATL_KIND_ARRAY:
    case ATL_KIND_REF:
    case ATL_KIND_MUTARRAY:
      return {8 + 8 * size, 0, size};
    case ATL_KIND_CLOSURE:  // code pointer, then size-1 captured values
      return {8 + 8 * size, 1, size > 0 ? size - 1 : 0};
    case ATL_KIND_STRING:
    case ATL_KIND_BYTES:
      return {8 + size + 1, 0, 0};
    case ATL_KIND_FLOAT:
      return {sizeof(atl_float), 0, 0};
    case ATL_KIND_MVAR:  // header and the core pointer (runtime/mvar/mvar.h)
      return {16, 0, 0};
    case ATL_KIND_HANDLE:  // shared, never copied
      return {sizeof(atl_handle), 0, 0};
    case ATL_KIND_PROMISE:  // header and the core pointer, shared (runtime/embed/promise.h)
      return {16, 0, 0};
  }
  value::Fail("deep copy: object with unknown kind %u", atl_header_kind(h));
}

// Objects the copy must leave as they are (shared, not copied): a file
// handle is one open file, whichever thread holds it, and its finalizer
// belongs to the original; a promise handle is one promise.
bool Shared(const atl_object* o) {
  const uint32_t kind = atl_header_kind(o->header);
  return IsStatic(o) || kind == ATL_KIND_MVAR || kind == ATL_KIND_HANDLE ||
         kind == ATL_KIND_PROMISE;
}

atl_object* CopyObject(const atl_object* o) {
  const uint32_t kind = atl_header_kind(o->header);
  if (kind == ATL_KIND_REF || kind == ATL_KIND_MUTARRAY) {
    value::Fail("cannot send a %s to another thread (mutable data is not sendable)",
                kind == ATL_KIND_REF ? "Ref" : "MutableArray");
  }
  const Layout l = LayoutOf(o);
  // A copy keeps the original's pointer-freedom: fields that point into the
  // heap now still do (at the copies) afterwards.
  const uint64_t raw = atl_raw_fields(o);
  bool pointers = false;
  for (size_t i = l.first_value; i < l.first_value + l.values && !pointers; ++i) {
    pointers = !IsRaw(raw, i) && atl_points_into_heap(o->fields[i]) != 0;
  }
  void* mem = pointers ? atl_alloc(l.bytes) : atl_alloc_atomic(l.bytes);
  std::memcpy(mem, o, l.bytes);
  if (pointers) atl_gc_written(mem);  // shared fields (MVars, static data) stay as copied
  return static_cast<atl_object*>(mem);
}

}  // namespace
}  // namespace atl::mvar

extern "C" {

int atl_is_static(atl_value v) { return atl_is_ptr(v) && atl::mvar::IsStatic(atl_ptr(v)) ? 1 : 0; }

atl_value atl_deep_copy(atl_value v) {
  uint64_t bytes = 0;
  return atl_deep_copy_counted(v, &bytes);
}

atl_value atl_deep_copy_counted(atl_value v, uint64_t* bytes) {
  using namespace atl::mvar;
  if (!atl_is_ptr(v) || Shared(atl_ptr(v))) return v;
  AddressMap copies;
  std::vector<atl_object*> work;  // copies whose fields still point at originals
  atl_object* root = CopyObject(atl_ptr(v));
  *bytes += LayoutOf(root).bytes;
  copies.Insert(atl_ptr(v), root);
  work.push_back(root);
  while (!work.empty()) {
    atl_object* obj = work.back();
    work.pop_back();
    const Layout l = LayoutOf(obj);
    const uint64_t raw = atl_raw_fields(obj);
    for (size_t i = l.first_value; i < l.first_value + l.values; ++i) {
      const atl_value f = obj->fields[i];
      if (IsRaw(raw, i) || !atl_is_ptr(f) || Shared(atl_ptr(f))) continue;
      const atl_object* original = atl_ptr(f);
      atl_object* copy = copies.Find(original);
      if (copy == nullptr) {
        copy = CopyObject(original);
        *bytes += LayoutOf(copy).bytes;
        copies.Insert(original, copy);
        work.push_back(copy);
      }
      obj->fields[i] = atl_from_ptr(copy);
      // Before the next copy's allocation, which may end a mark phase:
      // `copy` is reachable only from here (the work list is malloc'd).
      atl_gc_written(obj);
      GC_reachable_here(copy);
    }
  }
  GC_reachable_here(v);
  return atl_from_ptr(root);
}

void atl_value_graph_size(atl_value v, atl_graph_size* out) {
  using namespace atl::mvar;
  out->objects = out->bytes = 0;
  if (!atl_is_ptr(v) || Shared(atl_ptr(v))) return;
  AddressMap seen;
  std::vector<const atl_object*> work{atl_ptr(v)};
  seen.Insert(atl_ptr(v), const_cast<atl_object*>(atl_ptr(v)));
  while (!work.empty()) {
    const atl_object* obj = work.back();
    work.pop_back();
    const Layout l = LayoutOf(obj);
    const uint64_t raw = atl_raw_fields(obj);
    out->objects += 1;
    out->bytes += l.bytes;
    for (size_t i = l.first_value; i < l.first_value + l.values; ++i) {
      const atl_value f = obj->fields[i];
      if (IsRaw(raw, i) || !atl_is_ptr(f) || Shared(atl_ptr(f)) || seen.Find(atl_ptr(f)) != nullptr)
        continue;
      seen.Insert(atl_ptr(f), atl_ptr(f));
      work.push_back(atl_ptr(f));
    }
  }
  GC_reachable_here(v);
}

}  // extern "C"
