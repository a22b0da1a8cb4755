#include "detail/reference_cache.h"

#include <vector>

namespace leitong::detail {

namespace {
template <class T>
std::size_t bytes_of(const std::vector<T>& v) {
  return v.capacity() * sizeof(T);
}
}  // namespace

PreparedReference::PreparedReference(DocumentInfo info_, std::u32string text_, const SketchParams& params,
                                     bool with_positions)
    : info(std::move(info_)), text(std::move(text_)), sketch(make_alignment_sketch(text, params)) {
  if (with_positions) positions.emplace(sketch.shingles);
  bytes = sizeof(*this) + text.capacity() * sizeof(char32_t) + sketch.normalized.chars.capacity() * sizeof(char32_t) +
          bytes_of(sketch.normalized.begin) + bytes_of(sketch.normalized.end) + bytes_of(sketch.shingles) +
          (positions ? positions->bytes() : 0) + info.file.capacity() + info.agency.capacity();
}

std::shared_ptr<const PreparedReference> ReferenceCache::get(const Archive& archive, std::int64_t id) {
  {
    std::lock_guard lock(mutex_);
    if (auto it = where_.find(id); it != where_.end()) {
      ++hits_;
      recent_.splice(recent_.begin(), recent_, it->second);
      return it->second->second;
    }
    ++misses_;
  }
  auto prepared =
      std::make_shared<const PreparedReference>(archive.info(id), archive.text(id), archive.params().sketch, true);
  // Evicted entries are freed after the lock is released: freeing a prepared report (several
  // large vectors) under it made the other threads wait.
  std::vector<std::shared_ptr<const PreparedReference>> evicted;
  std::lock_guard lock(mutex_);
  if (auto it = where_.find(id); it != where_.end()) return it->second->second;  // prepared meanwhile
  if (prepared->bytes > budget_) return prepared;
  recent_.emplace_front(id, prepared);
  where_[id] = recent_.begin();
  used_ += prepared->bytes;
  while (used_ > budget_) {
    used_ -= recent_.back().second->bytes;
    where_.erase(recent_.back().first);
    evicted.push_back(std::move(recent_.back().second));
    recent_.pop_back();
  }
  return prepared;
}

std::size_t ReferenceCache::hits() const {
  std::lock_guard lock(mutex_);
  return hits_;
}

std::size_t ReferenceCache::misses() const {
  std::lock_guard lock(mutex_);
  return misses_;
}

}  // namespace leitong::detail
