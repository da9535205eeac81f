#include "trace_recorder.hpp"

#include <fstream>
#include <nlohmann/json.hpp>

#include "tessera/error.hpp"

namespace tessera::detail {

void TraceRecorder::on_task_end(const TaskEvent& task) {
  if (task.worker < 0 || static_cast<std::size_t>(task.worker) >= per_worker_.size()) return;
  per_worker_[static_cast<std::size_t>(task.worker)].push_back(
      {task.id, std::string(task.name), std::string(task.codelet), task.start_us, task.end_us,
       task.priority, task.status == TaskStatus::failed});
}

void TraceRecorder::write_chrome_json(const std::string& path,
                                      std::span<const WorkerInfo> workers) const {
  std::ofstream out(path);
  if (!out) throw Error("cannot write trace file '" + path + "'");
  // Streamed by hand: a trace can hold millions of events, too many for a JSON DOM.
  out << "{\"displayTimeUnit\":\"ms\",\"traceEvents\":[\n";
  bool first = true;
  auto separator = [&] {
    if (!first) out << ",\n";
    first = false;
  };
  for (const WorkerInfo& w : workers) {
    separator();
    out << R"({"ph":"M","name":"thread_name","pid":0,"tid":)" << w.id << R"(,"args":{"name":)"
        << nlohmann::json(w.name).dump() << "}}";
  }
  for (std::size_t w = 0; w < per_worker_.size(); ++w) {
    for (const TraceEvent& e : per_worker_[w]) {
      separator();
      out << R"({"ph":"X","pid":0,"tid":)" << w << ",\"ts\":" << e.start_us
          << ",\"dur\":" << (e.end_us - e.start_us) << ",\"name\":" << nlohmann::json(e.name).dump()
          << ",\"cat\":" << nlohmann::json(e.codelet).dump() << R"(,"args":{"task":)" << e.task_id
          << ",\"priority\":" << e.priority << ",\"failed\":" << (e.failed ? "true" : "false")
          << "}}";
    }
  }
  out << "\n]}\n";
  if (!out) throw Error("error while writing trace file '" + path + "'");
}

}  // namespace tessera::detail
