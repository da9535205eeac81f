#pragma once
// ArgPack: the by-value arguments of a task, stored type-erased and read back with a type
// check. Small argument lists live inside the pack (no heap allocation).

#include <cstddef>
#include <new>
#include <string>
#include <tuple>
#include <type_traits>
#include <typeinfo>
#include <utility>

namespace tessera {

namespace detail {
// Throws InvalidArgument explaining why argument `index` cannot be read as `requested`.
[[noreturn]] void throw_bad_arg(std::size_t index, std::size_t count, const std::type_info* actual,
                                const std::type_info& requested);
}  // namespace detail

class ArgPack {
 public:
  ArgPack() noexcept = default;

  template <class... Ts>
  static ArgPack make(Ts&&... values) {
    ArgPack pack;
    if constexpr (sizeof...(Ts) > 0)
      pack.emplace<std::tuple<std::decay_t<Ts>...>>(std::forward<Ts>(values)...);
    return pack;
  }

  ArgPack(ArgPack&& other) noexcept { take(other); }
  ArgPack& operator=(ArgPack&& other) noexcept {
    if (this != &other) {
      reset();
      take(other);
    }
    return *this;
  }
  ArgPack(const ArgPack&) = delete;
  ArgPack& operator=(const ArgPack&) = delete;
  ~ArgPack() { reset(); }

  std::size_t size() const noexcept { return ops_ ? ops_->count : 0; }
  bool empty() const noexcept { return size() == 0; }

  // The argument at `index`, which must have exactly type T (after decay).
  template <class T>
  const T& get(std::size_t index) const {
    const std::type_info* actual = ops_ && index < ops_->count ? &ops_->type_at(index) : nullptr;
    if (actual == nullptr || *actual != typeid(T)) {
      detail::throw_bad_arg(index, size(), actual, typeid(T));
    }
    return *static_cast<const T*>(ops_->address(storage(), index));
  }

  // All arguments at once, as the tuple they were packed in.
  template <class... Ts>
  const std::tuple<Ts...>& as_tuple() const {
    using Tuple = std::tuple<Ts...>;
    if (ops_ == nullptr || ops_->tuple_type != &typeid(Tuple)) {
      detail::throw_bad_arg(sizeof...(Ts), size(), ops_ ? ops_->tuple_type : nullptr,
                            typeid(Tuple));
    }
    return *static_cast<const Tuple*>(storage());
  }

 private:
  static constexpr std::size_t kInlineBytes = 48;

  struct Ops {
    std::size_t count;
    const std::type_info* tuple_type;
    const std::type_info& (*type_at)(std::size_t);
    const void* (*address)(const void*, std::size_t);
    void (*destroy)(void*) noexcept;
    void (*move_to)(void* from, void* to) noexcept;  // inline storage only
    bool heap;
  };

  template <class Tuple, std::size_t... I>
  static const std::type_info& type_at_impl(std::size_t i, std::index_sequence<I...>) {
    static const std::type_info* const types[] = {&typeid(std::tuple_element_t<I, Tuple>)...};
    return *types[i];
  }
  template <class Tuple, std::size_t... I>
  static const void* address_impl(const void* p, std::size_t i, std::index_sequence<I...>) {
    const auto& t = *static_cast<const Tuple*>(p);
    const void* const addresses[] = {static_cast<const void*>(&std::get<I>(t))...};
    return addresses[i];
  }

  template <class Tuple>
  static constexpr bool fits_inline =
      sizeof(Tuple) <= kInlineBytes &&
      alignof(Tuple) <= alignof(std::max_align_t) && std::is_nothrow_move_constructible_v<Tuple>;

  template <class Tuple>
  static const Ops* ops_for() {
    using Seq = std::make_index_sequence<std::tuple_size_v<Tuple>>;
    static const Ops ops{
        std::tuple_size_v<Tuple>,
        &typeid(Tuple),
        [](std::size_t i) -> const std::type_info& { return type_at_impl<Tuple>(i, Seq{}); },
        [](const void* p, std::size_t i) { return address_impl<Tuple>(p, i, Seq{}); },
        [](void* p) noexcept {
          if constexpr (fits_inline<Tuple>) {
            static_cast<Tuple*>(p)->~Tuple();
          } else {
            delete static_cast<Tuple*>(p);
          }
        },
        [](void* from, void* to) noexcept {
          if constexpr (fits_inline<Tuple>) {
            ::new (to) Tuple(std::move(*static_cast<Tuple*>(from)));
            static_cast<Tuple*>(from)->~Tuple();
          }
        },
        !fits_inline<Tuple>};
    return &ops;
  }

  template <class Tuple, class... Args>
  void emplace(Args&&... values) {
    if constexpr (fits_inline<Tuple>) {
      ::new (static_cast<void*>(inline_)) Tuple(std::forward<Args>(values)...);
    } else {
      heap_ = new Tuple(std::forward<Args>(values)...);
    }
    ops_ = ops_for<Tuple>();
  }

  const void* storage() const noexcept { return ops_ && ops_->heap ? heap_ : inline_; }

  void reset() noexcept {
    if (ops_ != nullptr) ops_->destroy(ops_->heap ? heap_ : static_cast<void*>(inline_));
    ops_ = nullptr;
    heap_ = nullptr;
  }
  void take(ArgPack& other) noexcept {
    ops_ = other.ops_;
    if (ops_ != nullptr) {
      if (ops_->heap) {
        heap_ = other.heap_;
      } else {
        ops_->move_to(other.inline_, inline_);
      }
    }
    other.ops_ = nullptr;
    other.heap_ = nullptr;
  }

  alignas(std::max_align_t) unsigned char inline_[kInlineBytes];
  void* heap_ = nullptr;
  const Ops* ops_ = nullptr;
};

}  // namespace tessera
