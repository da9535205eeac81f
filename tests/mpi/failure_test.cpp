// A distributed flow that goes wrong ends with a clear error on every rank, in bounded
// time, never a hang: a task that throws on one rank, a rank that leaves the flow, ranks
// that register different data or submit different tasks.

#include <gtest/gtest.h>
#include <sys/mman.h>

#include <chrono>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include <tessera/mpi/context.hpp>
#include <tessera/tessera.hpp>

#include "mpi_test_support.hpp"

namespace tessera {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kBound = std::chrono::seconds(20);

Codelet add_one() {
  Codelet c("add_one");
  c.cpu([](TaskContext& ctx) {
    auto in = ctx.vector<double>(0);
    auto out = ctx.vector<double>(1);
    for (std::size_t i = 0; i < out.size(); ++i) out[i] += in[i] + 1;
  });
  return c;
}

// A chain that crosses every rank: x_r owned by rank r, x_{r+1} += x_r, many times. The
// buffers live in `storage`, declared by each test before its Runtime: tasks and transfers
// may still use them while an exception unwinds the test, until the Runtime's destructor has
// waited for them (as docs/api.md asks of every program).
using RingStorage = std::vector<std::vector<double>>;
struct Ring {
  std::vector<VectorHandle> handles;
  Ring(Runtime& rt, mpi::Context& ctx, RingStorage& storage, std::size_t length = 64) {
    storage.assign(static_cast<std::size_t>(ctx.size()), std::vector<double>(length, 1.0));
    for (int r = 0; r < ctx.size(); ++r) {
      handles.push_back(rt.register_vector(std::span(storage[static_cast<std::size_t>(r)])));
      handles.back().set_name("x" + std::to_string(r));
      ctx.register_data(handles.back(), r);
    }
  }
};

std::string expect_distributed_error(mpi::Context& ctx, const std::string& expected) {
  const auto start = Clock::now();
  std::string message;
  try {
    ctx.wait_all();
    ADD_FAILURE() << "wait_all did not throw on rank " << ctx.rank();
  } catch (const mpi::DistributedError& e) {
    message = e.what();
    EXPECT_NE(message.find(expected), std::string::npos)
        << "rank " << ctx.rank() << ": " << message;
  }
  EXPECT_LT(Clock::now() - start, kBound);
  return message;
}

// Runs `flow` (registrations and submissions), then wait_all, and returns the message of the
// DistributedError, wherever it came from: a rank still registering or submitting when
// another rank's error notice arrives gets it there, not from wait_all.
template <class Flow>
std::string expect_flow_error(mpi::Context& ctx, Flow&& flow, const std::string& expected) {
  try {
    flow();
  } catch (const mpi::DistributedError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(expected), std::string::npos)
        << "rank " << ctx.rank() << ": " << message;
    return message;
  }
  return expect_distributed_error(ctx, expected);
}

TEST(DistributedFailure, ATaskThatThrowsOnOneRankEndsTheFlowOnEveryRank) {
  RingStorage storage;
  Runtime rt(testing::rank_config());
  mpi::Context ctx(rt);
  std::optional<Ring> ring;
  const Codelet add = add_one();
  Codelet fail("explode");
  fail.cpu([](TaskContext&) { throw std::runtime_error("tile 3 is not positive definite"); });
  const int victim = ctx.size() - 1;
  const std::string message = expect_flow_error(
      ctx,
      [&] {
        ring.emplace(rt, ctx, storage);
        for (int step = 0; step < 50; ++step) {
          for (int r = 0; r < ctx.size(); ++r) {
            const auto next = static_cast<std::size_t>((r + 1) % ctx.size());
            ctx.task(add)
                .read(ring->handles[static_cast<std::size_t>(r)])
                .read_write(ring->handles[next])
                .submit();
          }
          if (step == 10)
            ctx.task(fail).read_write(ring->handles[static_cast<std::size_t>(victim)]).submit();
        }
      },
      "tile 3 is not positive definite");
  EXPECT_EQ(message.rfind("rank " + std::to_string(victim) + ": task 'explode'", 0), 0u) << message;
  if (ring) {
    EXPECT_THROW(ctx.task(add).read(ring->handles[0]).read_write(ring->handles[0]).submit(),
                 mpi::DistributedError);
  }
}

TEST(DistributedFailure, ARankThatLeavesTheFlowEndsItOnEveryRank) {
  RingStorage storage;
  Runtime rt(testing::rank_config());
  const Codelet add = add_one();
  int rank = -1;
  try {
    mpi::Context ctx(rt);
    rank = ctx.rank();
    Ring ring(rt, ctx, storage);
    for (int r = 0; r < ctx.size(); ++r) {
      ctx.task(add)
          .read(ring.handles[static_cast<std::size_t>(r)])
          .read_write(ring.handles[static_cast<std::size_t>((r + 1) % ctx.size())])
          .submit();
    }
    if (ctx.rank() == 0) throw std::runtime_error("input file missing");
    expect_distributed_error(ctx, "rank 0 left the task flow");
  } catch (const mpi::DistributedError& e) {
    // A rank still submitting when rank 0's notice arrives gets the error from submit.
    EXPECT_NE(rank, 0) << e.what();
    EXPECT_NE(std::string(e.what()).find("rank 0 left the task flow"), std::string::npos)
        << "rank " << rank << ": " << e.what();
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(rank, 0) << e.what();
    EXPECT_STREQ(e.what(), "input file missing");
  }
}

TEST(DistributedFailure, RanksThatSubmitDifferentFlowsGetAClearErrorNotAHang) {
  RingStorage storage;
  Runtime rt(testing::rank_config());
  mpi::Context ctx(rt);
  if (ctx.size() < 2) {
    GTEST_SKIP() << "needs 2 ranks";
  }
  Ring ring(rt, ctx, storage);
  const Codelet add = add_one();
  ctx.task(add).read(ring.handles[0]).read_write(ring.handles[1]).submit();
  // Rank 1 alone adds a task that reads x0: it waits for a message that rank 0 never sends.
  if (ctx.rank() == 1)
    ctx.task(add).read(ring.handles[0]).read_write(ring.handles[1]).on_rank(1).submit();
  if (ctx.rank() == 1) ctx.task(add).read(ring.handles[1]).read_write(ring.handles[0]).submit();
  expect_distributed_error(ctx, "the ranks submitted different task flows");
}

TEST(DistributedFailure, DataRegisteredWithDifferentSizesAreReportedOnEveryRank) {
  std::vector<double> x;  // before the Runtime: it outlives every task and transfer
  Runtime rt(testing::rank_config());
  mpi::Context ctx(rt);
  if (ctx.size() < 2) {
    GTEST_SKIP() << "needs 2 ranks";
  }
  x.assign(ctx.rank() == 1 ? 16 : 8, 1.0);
  auto hx = rt.register_vector(std::span(x));
  ctx.register_data(hx, 0);
  expect_distributed_error(ctx, "the ranks registered different data");
}

TEST(DistributedFailure, ASizeMismatchSeenByATransferNamesTheDatum) {
  std::vector<double> x;  // before the Runtime: they outlive every task and transfer
  std::vector<double> y(8, 0.0);
  Runtime rt(testing::rank_config());
  mpi::Context ctx(rt);
  if (ctx.size() < 2) {
    GTEST_SKIP() << "needs 2 ranks";
  }
  // Rank 1's copy is larger than what rank 0 owns: the receive gets fewer bytes than expected.
  x.assign(ctx.rank() == 1 ? 16 : 8, 1.0);
  auto hx = rt.register_vector(std::span(x));
  auto hy = rt.register_vector(std::span(y));
  hx.set_name("x");
  Codelet touch("touch");
  touch.cpu([](TaskContext&) {});
  const std::string message = expect_flow_error(
      ctx,
      [&] {
        ctx.register_data(hx, 0);
        ctx.register_data(hy, 1);
        ctx.task(touch).read(hx).read_write(hy).submit();  // on rank 1: needs x from rank 0
      },
      "");
  EXPECT_TRUE(message.find("recv x v0 from rank 0") != std::string::npos ||
              message.find("registered different data") != std::string::npos)
      << message;
}

// A datum larger than one MPI message's int count (2 GiB of bytes) is named on every rank,
// not truncated. Its pages are reserved, never touched: no rank needs the memory.
TEST(DistributedFailure, AMessageOverTwoGiBIsAClearErrorOnEveryRank) {
  constexpr std::size_t kBytes = (std::size_t{1} << 31) + 4096;
  struct Mapping {
    void* address = ::mmap(nullptr, kBytes, PROT_READ | PROT_WRITE,
                           MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    ~Mapping() {
      if (address != MAP_FAILED) ::munmap(address, kBytes);
    }
  } mapping;  // before the Runtime: it outlives every task and transfer
  ASSERT_NE(mapping.address, MAP_FAILED);
  std::vector<double> y(8, 0.0);
  Runtime rt(testing::rank_config());
  mpi::Context ctx(rt);
  if (ctx.size() < 2) {
    GTEST_SKIP() << "needs 2 ranks";
  }
  auto big = rt.register_blob(mapping.address, kBytes);
  big.set_name("big");
  auto hy = rt.register_vector(std::span(y));
  Codelet touch("touch");
  touch.cpu([](TaskContext&) {});
  expect_flow_error(
      ctx,
      [&] {
        ctx.register_data(big, 0);
        ctx.register_data(hy, 1);
        ctx.task(touch).read(big).read_write(hy).submit();  // on rank 1: needs big from rank 0
      },
      "more than one MPI message carries here (2 GiB)");
}

}  // namespace
}  // namespace tessera
