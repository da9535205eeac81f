// STG reader for Dag (Kasahara's Standard Task Graph Set): the task count n, then n+2
// records "id processing_time npred pred..." (entry node 0 and exit node n+1 included),
// then optional comment lines starting with '#'.

#include <sstream>
#include <string>

#include "dag_order.hpp"
#include "tessera/dag.hpp"
#include "tessera/error.hpp"

namespace tessera {

Dag Dag::parse_stg(std::string_view text, std::string_view source_name, double unit_us) {
  const std::string source(source_name);
  std::vector<std::pair<long long, int>> numbers;  // value, line
  {
    std::istringstream in{std::string(text)};
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
      ++number;
      line = line.substr(0, line.find('#'));
      std::istringstream words(line);
      std::string word;
      while (words >> word) {
        try {
          std::size_t used = 0;
          const long long v = std::stoll(word, &used);
          if (used != word.size()) throw std::invalid_argument(word);
          numbers.emplace_back(v, number);
        } catch (const std::exception&) {
          throw InvalidArgument(source + ":" + std::to_string(number) +
                                ": expected an integer, got '" + word + "'");
        }
      }
    }
  }
  std::size_t next = 0;
  auto take = [&](const char* what) -> long long {
    if (next >= numbers.size()) throw InvalidArgument(source + ": ended while reading " + what);
    return numbers[next++].first;
  };
  auto where = [&] {
    return source + ":" + std::to_string(numbers[next == 0 ? 0 : next - 1].second);
  };

  const long long n = take("the task count");
  if (n < 0) throw InvalidArgument(where() + ": negative task count");
  // Each task takes at least three numbers: a count beyond that is a corrupt file, not a
  // reason to allocate memory for it.
  if (static_cast<unsigned long long>(n) + 2 > (numbers.size() - 1) / 3) {
    throw InvalidArgument(where() + ": declares " + std::to_string(n) +
                          " tasks but holds at most " + std::to_string(numbers.size() / 3) +
                          " task records");
  }
  const std::size_t total = static_cast<std::size_t>(n) + 2;
  Dag dag;
  dag.name = "stg";
  std::vector<DagTask> tasks(total);
  std::vector<std::vector<std::size_t>> after(total);
  std::vector<bool> seen(total, false);
  for (std::size_t k = 0; k < total; ++k) {
    const long long id = take("a task id");
    if (id < 0 || static_cast<std::size_t>(id) >= total) {
      throw InvalidArgument(where() + ": task id " + std::to_string(id) + " is outside 0.." +
                            std::to_string(total - 1));
    }
    if (seen[static_cast<std::size_t>(id)])
      throw InvalidArgument(where() + ": task " + std::to_string(id) + " defined twice");
    seen[static_cast<std::size_t>(id)] = true;
    const long long time = take("a processing time");
    if (time < 0)
      throw InvalidArgument(where() + ": task " + std::to_string(id) +
                            " has a negative processing time");
    const long long npred = take("a predecessor count");
    if (npred < 0)
      throw InvalidArgument(where() + ": task " + std::to_string(id) +
                            " has a negative predecessor count");
    DagTask& t = tasks[static_cast<std::size_t>(id)];
    t.id = std::to_string(id);
    t.type = "stg";
    t.cost_us["*"] = static_cast<double>(time) * unit_us;
    for (long long p = 0; p < npred; ++p) {
      const long long pred = take("a predecessor id");
      if (pred < 0 || static_cast<std::size_t>(pred) >= total) {
        throw InvalidArgument(where() + ": task " + std::to_string(id) +
                              " names unknown predecessor " + std::to_string(pred));
      }
      after[static_cast<std::size_t>(id)].push_back(static_cast<std::size_t>(pred));
    }
  }
  detail::order_by_after(tasks, after, source);
  detail::check_task_numbers(tasks, source);
  dag.tasks = std::move(tasks);
  return dag;
}

}  // namespace tessera
