// DAG files: tessera-dag/1 JSON, DOT and STG, with their errors.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <tessera/dag.hpp>

#include "test_support.hpp"

namespace tessera {
namespace {

using ::testing::HasSubstr;

constexpr const char* kExample = R"({ "format": "tessera-dag/1", "name": "example",
  "data":  [ {"id": "A00", "bytes": 7372800}, {"id": "A10", "bytes": 7372800} ],
  "tasks": [ {"id": "t0", "type": "potrf", "flops": 2.9e8,
              "cost_us": {"cpu": 7400, "cuda": 8200},
              "access": [ ["A00", "RW"] ], "after": [], "priority": 0 },
             {"id": "t1", "type": "trsm", "access": [ ["A00", "R"], ["A10", "RW"] ], "priority": 3 } ] })";

std::string json_error(const std::string& text) {
  try {
    Dag::parse_json(text, "bad.json");
  } catch (const InvalidArgument& e) {
    return e.what();
  }
  return "no error";
}

TEST(DagFormat, ParsesTheDocumentedExampleAndRoundTrips) {
  const Dag dag = Dag::parse_json(kExample, "example");
  ASSERT_EQ(dag.tasks.size(), 2u);
  EXPECT_EQ(dag.tasks[0].cost_us.at("cuda"), 8200);
  EXPECT_EQ(dag.tasks[1].access[1].mode, Access::RW);
  EXPECT_EQ(dag.tasks[1].priority, 3);
  const auto preds = dag.predecessors();
  EXPECT_EQ(preds[1], std::vector<std::size_t>{0});
  const Dag again = Dag::parse_json(dag.to_json(), "round trip");
  EXPECT_EQ(again.to_json(), dag.to_json());
}

TEST(DagFormat, AfterMayNameLaterTasks) {
  const Dag dag = Dag::parse_json(R"({"format": "tessera-dag/1", "tasks": [
      {"id": "b", "type": "x", "after": ["a"]}, {"id": "a", "type": "x"}, {"id": "c", "type": "x"}]})",
                                  "order");
  ASSERT_EQ(dag.tasks.size(), 3u);
  EXPECT_EQ(dag.tasks[0].id, "a");
  EXPECT_EQ(dag.tasks[1].id, "b");
  EXPECT_EQ(dag.tasks[1].after, std::vector<std::size_t>{0});
  EXPECT_EQ(dag.tasks[2].id, "c");
}

TEST(DagFormat, MalformedFilesNameTheTaskOrFieldAndReason) {
  EXPECT_THAT(
      json_error(R"({"format": "tessera-dag/1", "data": [], "tasks": [
      {"id": "t0", "type": "x", "access": [["A9", "R"]]}]})"),
      HasSubstr("bad.json: tasks[0].access[0][0]: unknown data id 'A9' in tasks[0] ('t0')"));
  EXPECT_THAT(json_error(R"({"format": "tessera-dag/1", "tasks": [
      {"id": "a", "type": "x", "after": ["b"]}, {"id": "b", "type": "x", "after": ["a"]}]})"),
              HasSubstr("bad.json: the task dependencies form a cycle: 'a' -> 'b' -> 'a'"));
  // A task that only waits for a cycle is not named as being on it.
  EXPECT_THAT(json_error(R"({"format": "tessera-dag/1", "tasks": [
      {"id": "c", "type": "x", "after": ["a"]}, {"id": "a", "type": "x", "after": ["b"]},
      {"id": "b", "type": "x", "after": ["a"]}]})"),
              HasSubstr("cycle: 'a' -> 'b' -> 'a' (each waits for the next)"));
  EXPECT_THAT(
      json_error(
          R"({"format": "tessera-dag/1", "tasks": [{"id": "a", "type": "x", "cost_us": {"cpu": -1}}]})"),
      HasSubstr("tasks[0].cost_us.cpu: must not be negative"));
  EXPECT_THAT(
      json_error(
          R"({"format": "tessera-dag/1", "tasks": [{"id": "a", "type": "x", "cost_us": {}}]})"),
      HasSubstr("tasks[0].cost_us: lists no architecture"));
  EXPECT_THAT(json_error(R"({"format": "tessera-dag/1", "tasks": [{"id": "a"}]})"),
              HasSubstr("tasks[0].type: missing field"));
  EXPECT_THAT(
      json_error(R"({"format": "tessera-dag/1", "data": [{"id": "A", "bytes": 1}], "tasks": [
      {"id": "a", "type": "x", "access": [["A", "READ"]]}]})"),
      HasSubstr("unknown access mode 'READ'"));
  EXPECT_THAT(
      json_error(
          R"({"format": "tessera-dag/1", "tasks": [{"id": "a", "type": "x"}, {"id": "a", "type": "y"}]})"),
      HasSubstr("tasks[1].id: duplicate task id 'a'"));
  EXPECT_THAT(
      json_error(
          R"({"format": "tessera-dag/1", "tasks": [{"id": "a", "type": "x", "after": ["a"]}]})"),
      HasSubstr("task 'a' lists itself in after"));
  // Costs whose sums would overflow (1e308) are typos: refused where they are read.
  EXPECT_THAT(
      json_error(
          R"({"format": "tessera-dag/1", "tasks": [{"id": "a", "type": "x", "cost_us": {"*": 1e308}}]})"),
      HasSubstr("bad.json: task 'a': cost_us.* = 1e+308 is out of range [0, 1e15]"));
  EXPECT_THAT(
      json_error(
          R"({"format": "tessera-dag/1", "tasks": [{"id": "a", "type": "x", "flops": 1e30}]})"),
      HasSubstr("task 'a': flops = 1e+30 is out of range"));
}

TEST(DagFormat, DotImportKeepsTypesCostsAndTransfers) {
  const Dag dag = Dag::parse_dot(R"(digraph g {
      // a comment
      t1 [type=potrf, cpu_us=100, cuda_us=20, flops=1e6];
      t2 [codelet="trsm", cost_us=50];
      t3 [label="syrk"];
      t3 -> t1 [bytes=4096];   /* edges in any order */
      t1 -> t2;
    })",
                                 "g.dot");
  ASSERT_EQ(dag.tasks.size(), 3u);
  EXPECT_EQ(dag.tasks[0].id, "t3");  // reordered so edges point forward
  EXPECT_EQ(dag.tasks[1].type, "potrf");
  EXPECT_EQ(dag.tasks[1].cost_us.at("cuda"), 20);
  EXPECT_EQ(dag.tasks[2].cost_us.at("*"), 50);
  ASSERT_EQ(dag.data.size(), 1u);
  EXPECT_EQ(dag.data[0].bytes, 4096u);
  const auto preds = dag.predecessors();
  EXPECT_EQ(preds[1], std::vector<std::size_t>{0});
  EXPECT_EQ(preds[2], std::vector<std::size_t>{1});
}

TEST(DagFormat, DotErrorsNameLineAndNode) {
  EXPECT_THAT([] { Dag::parse_dot("digraph { a -> b ", "x.dot"); },
              ::testing::ThrowsMessage<InvalidArgument>(HasSubstr("x.dot:1: missing '}'")));
  EXPECT_THAT(
      [] { Dag::parse_dot("digraph {\n a [flops=lots] }", "x.dot"); },
      ::testing::ThrowsMessage<InvalidArgument>(HasSubstr("node 'a': attribute flops='lots'")));
  EXPECT_THAT([] { Dag::parse_dot("digraph { a -> b; b -> a; }", "x.dot"); },
              ::testing::ThrowsMessage<InvalidArgument>(HasSubstr("cycle")));
}

TEST(DagFormat, StgImport) {
  // 3 tasks plus entry (0) and exit (4): a diamond.
  const Dag dag = Dag::parse_stg(R"(3
    0 0 0
    1 10 1 0
    2 20 1 0
    3 5 2 1 2
    4 0 1 3
    # a comment line
  )",
                                 "tiny.stg", 1000.0);
  ASSERT_EQ(dag.tasks.size(), 5u);
  EXPECT_EQ(dag.tasks[2].cost_us.at("*"), 20000.0);
  const auto preds = dag.predecessors();
  EXPECT_EQ(preds[3], (std::vector<std::size_t>{1, 2}));
  EXPECT_THAT([] { Dag::parse_stg("2\n0 0 0\n1 5 1 9\n2 1 0\n3 0 0\n", "bad.stg"); },
              ::testing::ThrowsMessage<InvalidArgument>(
                  HasSubstr("bad.stg:3: task 1 names unknown predecessor 9")));
  EXPECT_THAT([] { Dag::parse_stg("1\n0 0 0\n1 x 0\n", "bad.stg"); },
              ::testing::ThrowsMessage<InvalidArgument>(
                  HasSubstr("bad.stg:3: expected an integer, got 'x'")));
  EXPECT_THAT(
      [] { Dag::parse_stg("1\n0 0 0\n1 5 0\n2 0 1\n", "bad.stg"); },
      ::testing::ThrowsMessage<InvalidArgument>(HasSubstr("ended while reading a predecessor id")));
  EXPECT_THAT(
      [] { Dag::parse_stg("310111300 1 10\n", "huge.stg"); },
      ::testing::ThrowsMessage<InvalidArgument>(HasSubstr("huge.stg:1: declares 310111300 tasks")));
}

TEST(DagFormat, PredecessorsFollowTheEngineRules) {
  // W; R; R; RW|COMMUTE; RW|COMMUTE; R  on one handle.
  Dag dag;
  dag.data = {{"x", 8}};
  for (Access m : {Access::W, Access::R, Access::R, Access::RW | Access::COMMUTE,
                   Access::RW | Access::COMMUTE, Access::R}) {
    dag.tasks.push_back({"t" + std::to_string(dag.tasks.size()), "k", 0, {}, {{0, m}}, {}, 0});
  }
  const auto p = dag.predecessors();
  EXPECT_TRUE(p[0].empty());
  EXPECT_EQ(p[1], std::vector<std::size_t>{0});
  EXPECT_EQ(p[2], std::vector<std::size_t>{0});
  EXPECT_EQ(p[3], (std::vector<std::size_t>{1, 2}));
  EXPECT_EQ(p[4], (std::vector<std::size_t>{1, 2}));  // commuting: not after each other
  EXPECT_EQ(p[5], (std::vector<std::size_t>{3, 4}));
}

}  // namespace
}  // namespace tessera
