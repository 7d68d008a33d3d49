// result<T, E>: a value or an error, the one way fallible functions report failure across module
// boundaries (exceptions only at start-up). Each subsystem defines its own error type, usually
// coded_error<its_enum>. One alias here so the representation can change in one line (std::expected
// once the project moves to C++23).
#pragma once

#include <string>
#include <type_traits>
#include <utility>
#include <variant>

namespace tributary {

// An error code from a subsystem's enum plus a message with context for humans and logs.
template <typename Code>
struct coded_error {
  Code code;
  std::string message;
};

template <typename E>
struct failure {
  E error;
};

template <typename E>
failure<std::decay_t<E>> fail(E&& e) {
  return {std::forward<E>(e)};
}

template <typename T, typename E>
class [[nodiscard]] result {
 public:
  result(T value) : v_(std::in_place_index<0>, std::move(value)) {}
  template <typename F>
  result(failure<F> f) : v_(std::in_place_index<1>, std::move(f.error)) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const E& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, E> v_;
};

template <typename E>
class [[nodiscard]] result<void, E> {
 public:
  result() = default;
  template <typename F>
  result(failure<F> f) : error_(std::move(f.error)), ok_(false) {}

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const E& error() const { return error_; }

 private:
  E error_{};
  bool ok_ = true;
};

}  // namespace tributary
