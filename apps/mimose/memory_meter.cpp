#include "mimose/memory_meter.hpp"

#include <c10/core/Allocator.h>
#include <c10/core/CPUAllocator.h>

#include <cstdio>

namespace tessera::mimose {

namespace {

std::string megabytes_text(std::size_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f MB", mebibytes(static_cast<double>(bytes)));
  return text;
}

// Forwards to the default CPU allocator with a header in front of each block that holds its
// size, so that the release is counted too. The data pointer is its own context (LibTorch's
// raw_allocate requires it), and the header keeps the default 64-byte alignment.
class CountingAllocator final : public c10::Allocator {
 public:
  explicit CountingAllocator(c10::Allocator* inner) : inner_(inner) {}

  c10::DataPtr allocate(std::size_t bytes) const override {
    auto& meter = MemoryMeter::instance();
    meter.admit(bytes);
    auto* block = static_cast<char*>(inner_->raw_allocate(bytes + kHeader));
    *reinterpret_cast<std::size_t*>(block) = bytes;
    meter.on_allocated(bytes);
    void* data = block + kHeader;
    return {data, data, &release, c10::Device(c10::DeviceType::CPU)};
  }
  c10::DeleterFnPtr raw_deleter() const override { return &release; }

  static c10::Allocator* inner;

 private:
  static constexpr std::size_t kHeader = 64;
  static void release(void* data) {
    if (data == nullptr) return;
    char* block = static_cast<char*>(data) - kHeader;
    MemoryMeter::instance().on_freed(*reinterpret_cast<std::size_t*>(block));
    inner->raw_deallocate(block);
  }
  c10::Allocator* inner_;
};

c10::Allocator* CountingAllocator::inner = nullptr;

}  // namespace

BudgetExceeded::BudgetExceeded(std::size_t requested, std::size_t live, std::size_t limit)
    : Error("memory budget exceeded: " + megabytes_text(requested) + " more with " +
            megabytes_text(live) + " live would pass the budget of " + megabytes_text(limit)),
      requested_(requested),
      live_(live),
      limit_(limit) {}

MemoryMeter& MemoryMeter::instance() {
  static MemoryMeter* meter = [] {
    auto* m = new MemoryMeter();  // never destroyed: tensors may be freed at exit
    CountingAllocator::inner = c10::GetDefaultCPUAllocator();
    if (CountingAllocator::inner->raw_deleter() == nullptr)
      throw Error("LibTorch's default CPU allocator has no raw deleter: cannot count memory");
    static CountingAllocator allocator(CountingAllocator::inner);
    // Priority 1 wins over the default allocator's registration.
    c10::SetCPUAllocator(&allocator, /*priority=*/1);
    return m;
  }();
  return *meter;
}

void MemoryMeter::set_pressure_handler(PressureHandler handler) {
  std::lock_guard lock(pressure_mutex_);
  pressure_ = std::move(handler);
}

void MemoryMeter::admit(std::size_t bytes) {
  const std::size_t cap = limit();
  if (cap == 0 || live() + bytes <= cap) return;
  {
    std::lock_guard lock(pressure_mutex_);
    while (pressure_ && live() + bytes > cap && pressure_(live() + bytes - cap)) {
    }
  }
  const std::size_t now = live();
  if (now + bytes > cap) {
    refusals_.fetch_add(1, std::memory_order_relaxed);
    throw BudgetExceeded(bytes, now, cap);
  }
}

void MemoryMeter::on_allocated(std::size_t bytes) noexcept {
  const std::size_t now = live_.fetch_add(bytes, std::memory_order_relaxed) + bytes;
  std::size_t seen = peak_.load(std::memory_order_relaxed);
  while (now > seen && !peak_.compare_exchange_weak(seen, now, std::memory_order_relaxed)) {
  }
}

ScopedBudget::ScopedBudget(std::size_t limit, MemoryMeter::PressureHandler handler) {
  auto& meter = MemoryMeter::instance();
  meter.set_pressure_handler(std::move(handler));
  meter.set_limit(limit);
}

ScopedBudget::~ScopedBudget() {
  auto& meter = MemoryMeter::instance();
  meter.set_limit(0);
  meter.set_pressure_handler({});
}

}  // namespace tessera::mimose
