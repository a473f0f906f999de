// A bump arena for AST nodes.
#ifndef ATOLL_PARSE_ARENA_H
#define ATOLL_PARSE_ARENA_H

#include <memory>
#include <memory_resource>
#include <type_traits>
#include <utility>
#include <vector>

namespace atl::parse {

// Owns every node of one Module. Nodes are carved from a monotonic buffer and
// never freed individually; nodes with non-trivial members (strings, vectors)
// get their destructor run when the arena dies, in reverse creation order.
// Invariant: a pointer returned by New lives exactly as long as the arena.
// Not copyable or movable (nodes point at each other); hold it by unique_ptr.
class Arena {
 public:
  Arena() = default;
  Arena(const Arena&) = delete;
  auto operator=(const Arena&) -> Arena& = delete;
  ~Arena() {
    for (auto it = destructors_.rbegin(); it != destructors_.rend(); ++it) it->destroy(it->object);
  }

  template <class T, class... Args>
  auto New(Args&&... args) -> T* {
    void* memory = buffer_.allocate(sizeof(T), alignof(T));
    T* object = ::new (memory) T(std::forward<Args>(args)...);
    if constexpr (!std::is_trivially_destructible_v<T>) {
      destructors_.push_back({object, [](void* p) { static_cast<T*>(p)->~T(); }});
    }
    return object;
  }

 private:
  struct Destructor {
    void* object;
    void (*destroy)(void*);
  };
  std::pmr::monotonic_buffer_resource buffer_{64 * 1024};
  std::vector<Destructor> destructors_;
};

}  // namespace atl::parse

#endif  // ATOLL_PARSE_ARENA_H
