// Observers and completion callbacks: an observer sees every task start and end on the
// worker that runs it; on_done is called once per task with how it ended, may submit more
// work, and a callback that throws fails its task.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <vector>

#include "test_support.hpp"

namespace tessera {
namespace {

using ::testing::HasSubstr;

struct Recorder : TaskObserver {
  std::mutex mutex;
  std::map<std::uint64_t, TaskEvent> started, ended;
  std::set<std::string> names;
  void on_task_start(const TaskEvent& e) override {
    std::lock_guard lock(mutex);
    started[e.id] = e;
  }
  void on_task_end(const TaskEvent& e) override {
    std::lock_guard lock(mutex);
    ended[e.id] = e;
    names.insert(std::string(e.name));
  }
};

class Observers : public ::testing::TestWithParam<std::string> {};

TEST_P(Observers, SeeEveryTaskStartAndEndOnItsWorker) {
  constexpr int kTasks = 200;
  Runtime rt(testing::test_config(GetParam(), 2));
  auto recorder = std::make_shared<Recorder>();
  rt.add_observer(recorder);
  std::vector<long> cells(8, 0);
  std::vector<VectorHandle> handles;
  for (long& c : cells) handles.push_back(rt.register_vector(std::span(&c, 1)));
  const Codelet inc = testing::increment_codelet();
  for (int i = 0; i < kTasks; ++i)
    rt.task(inc).read_write(handles[i % 8]).name(i == 0 ? "first" : "other").submit();
  rt.wait_all();
  rt.remove_observer(recorder);
  rt.submit(inc, {{handles[0], RW}});  // not seen any more
  rt.wait_all();
  for (auto& h : handles) rt.unregister(h);
  ASSERT_EQ(recorder->started.size(), static_cast<std::size_t>(kTasks));
  ASSERT_EQ(recorder->ended.size(), static_cast<std::size_t>(kTasks));
  for (const auto& [id, end] : recorder->ended) {
    const TaskEvent& start = recorder->started.at(id);
    EXPECT_EQ(start.worker, end.worker);
    EXPECT_GE(end.worker, 0);
    EXPECT_LT(end.worker, 2);
    EXPECT_LE(end.start_us, end.end_us);
    EXPECT_EQ(end.status, TaskStatus::succeeded);
    EXPECT_EQ(end.codelet, "inc");
  }
  EXPECT_EQ(recorder->names, (std::set<std::string>{"first", "other"}));
}

INSTANTIATE_TEST_SUITE_P(AllPolicies, Observers, ::testing::ValuesIn(testing::all_policies()),
                         testing::PolicyName{});

TEST(Observers, AThrowingObserverDoesNotStopTheRun) {
  struct Thrower : TaskObserver {
    void on_task_end(const TaskEvent&) override { throw std::runtime_error("observer broke"); }
  };
  Runtime rt(testing::test_config("eager", 2));
  rt.add_observer(std::make_shared<Thrower>());
  std::vector<long> x(1, 0);
  auto h = rt.register_vector(std::span(x));
  const Codelet inc = testing::increment_codelet();
  for (int i = 0; i < 5; ++i) rt.submit(inc, {{h, RW}});
  EXPECT_NO_THROW(rt.wait_all());
  rt.unregister(h);
  EXPECT_EQ(x[0], 5);
  EXPECT_THROW(rt.add_observer(nullptr), InvalidArgument);
}

TEST(OnDone, CalledOnceWithHowTheTaskEnded) {
  Runtime rt(testing::test_config("eager", 2));
  std::vector<long> x(1, 0);
  auto h = rt.register_vector(std::span(x));
  const Codelet inc = testing::increment_codelet();
  Codelet boom("boom");
  boom.cpu([](TaskContext&) { throw std::runtime_error("boom"); });
  std::mutex mutex;
  std::vector<std::pair<std::string, TaskStatus>> seen;
  auto record = [&](const TaskEvent& e) {
    std::lock_guard lock(mutex);
    seen.emplace_back(std::string(e.name), e.status);
  };
  rt.task(inc).read_write(h).name("ok").on_done(record).submit();
  rt.task(boom).read_write(h).name("bad").on_done(record).submit();
  rt.task(inc).read_write(h).name("after-bad").on_done(record).submit();
  EXPECT_THROW(rt.wait_all(), TaskFailed);
  rt.pause();
  TaskHandle dropped = rt.task(inc).read_write(h).name("dropped").on_done(record).submit();
  rt.cancel(dropped);
  rt.resume();
  rt.wait_all();
  rt.unregister(h);
  EXPECT_EQ(seen,
            (std::vector<std::pair<std::string, TaskStatus>>{{"ok", TaskStatus::succeeded},
                                                             {"bad", TaskStatus::failed},
                                                             {"after-bad", TaskStatus::cancelled},
                                                             {"dropped", TaskStatus::cancelled}}));
  EXPECT_EQ(x[0], 1);
}

TEST(OnDone, ACallbackMaySubmitTheNextRound) {
  Runtime rt(testing::test_config("lws", 2));
  std::vector<long> x(1, 0);
  auto h = rt.register_vector(std::span(x));
  const Codelet inc = testing::increment_codelet();
  std::function<void(const TaskEvent&)> next;
  std::atomic<int> rounds{0};
  next = [&](const TaskEvent&) {
    if (++rounds < 10) rt.task(inc).read_write(h).on_done(next).submit();
  };
  rt.task(inc).read_write(h).on_done(next).submit();
  rt.wait_all();
  rt.unregister(h);
  EXPECT_EQ(x[0], 10);
}

TEST(OnDone, AThrowingCallbackFailsItsTaskAndCancelsItsDependents) {
  Runtime rt(testing::test_config("eager", 2));
  std::vector<long> x(1, 0);
  auto h = rt.register_vector(std::span(x));
  const Codelet inc = testing::increment_codelet();
  TaskHandle t = rt.task(inc)
                     .read_write(h)
                     .name("checked")
                     .on_done([](const TaskEvent&) { throw std::runtime_error("check failed"); })
                     .submit();
  TaskHandle next = rt.submit(inc, {{h, RW}});
  EXPECT_THAT([&] { rt.wait_all(); }, ::testing::ThrowsMessage<TaskFailed>(
                                          HasSubstr("on_done callback failed: check failed")));
  EXPECT_EQ(t.status(), TaskStatus::failed);
  EXPECT_EQ(next.status(), TaskStatus::cancelled);
  rt.unregister(h);
  EXPECT_EQ(x[0], 1);
}

}  // namespace
}  // namespace tessera
