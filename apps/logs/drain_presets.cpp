// The published Drain settings per Loghub system: log format, masking regexes, similarity
// threshold and depth, as in logpai/logparser's Drain benchmark (commit c82e548, 2023).

#include "logs/drain.hpp"

#include <tessera/error.hpp>

namespace tessera::logs {
namespace {

DrainPreset preset(std::string system, std::string format, std::vector<std::string> masks,
                   double st, int depth) {
  return {std::move(system), std::move(format),
          DrainOptions{depth, st, 100, std::move(masks), false, DrainOptions{}.index_leaves_from}};
}

std::vector<DrainPreset> make_presets() {
  const std::string ip = R"((\d+\.){3}\d+)";
  return {
      preset("HDFS", "<Date> <Time> <Pid> <Level> <Component>: <Content>",
             {R"(blk_-?\d+)", R"((\d+\.){3}\d+(:\d+)?)"}, 0.5, 4),
      preset("Hadoop", R"(<Date> <Time> <Level> \[<Process>\] <Component>: <Content>)", {ip}, 0.5,
             4),
      preset("Spark", "<Date> <Time> <Level> <Component>: <Content>",
             {ip, R"(\b[KGTM]?B\b)", R"(([\w-]+\.){2,}[\w-]+)"}, 0.5, 4),
      preset("Zookeeper", R"(<Date> <Time> - <Level>  \[<Node>:<Component>@<Id>\] - <Content>)",
             {R"((/|)(\d+\.){3}\d+(:\d+)?)"}, 0.5, 4),
      preset("BGL",
             "<Label> <Timestamp> <Date> <Node> <Time> <NodeRepeat> <Type> <Component> <Level> "
             "<Content>",
             {R"(core\.\d+)"}, 0.5, 4),
      preset("HPC", "<LogId> <Node> <Component> <State> <Time> <Flag> <Content>", {R"(=\d+)"}, 0.5,
             4),
      preset(
          "Thunderbird",
          R"(<Label> <Timestamp> <Date> <User> <Month> <Day> <Time> <Location> <Component>(\[<PID>\])?: <Content>)",
          {ip}, 0.5, 4),
      preset("Windows", "<Date> <Time>, <Level>                  <Component>    <Content>",
             {R"(0x.*?\s)"}, 0.7, 5),
      preset("Linux", R"(<Month> <Date> <Time> <Level> <Component>(\[<PID>\])?: <Content>)",
             {ip, R"(\d{2}:\d{2}:\d{2})"}, 0.39, 6),
      preset("Android", "<Date> <Time>  <Pid>  <Tid> <Level> <Component>: <Content>",
             {R"((/[\w-]+)+)", R"(([\w-]+\.){2,}[\w-]+)",
              R"(\b(\-?\+?\d+)\b|\b0[Xx][a-fA-F\d]+\b|\b[a-fA-F\d]{4,}\b)"},
             0.2, 6),
      preset("HealthApp", R"(<Time>\|<Component>\|<Pid>\|<Content>)", {}, 0.2, 4),
      preset("Apache", R"(\[<Time>\] \[<Level>\] <Content>)", {ip}, 0.5, 4),
      preset(
          "Proxifier", R"(\[<Time>\] <Program> - <Content>)",
          {R"(<\d+\ssec)", R"(([\w-]+\.)+[\w-]+(:\d+)?)", R"(\d{2}:\d{2}(:\d{2})*)", R"([KGTM]B)"},
          0.6, 3),
      preset("OpenSSH", R"(<Date> <Day> <Time> <Component> sshd\[<Pid>\]: <Content>)",
             {ip, R"(([\w-]+\.){2,}[\w-]+)"}, 0.6, 5),
      preset("OpenStack",
             R"(<Logrecord> <Date> <Time> <Pid> <Level> <Component> \[<ADDR>\] <Content>)",
             {R"(((\d+\.){3}\d+,?)+)", R"(/.+?\s)", R"(\d+)"}, 0.5, 5),
      preset("Mac",
             R"(<Month>  <Date> <Time> <User> <Component>\[<PID>\]( \(<Address>\))?: <Content>)",
             {R"(([\w-]+\.){2,}[\w-]+)"}, 0.7, 6),
  };
}

}  // namespace

const std::vector<DrainPreset>& drain_presets() {
  static const std::vector<DrainPreset> presets = make_presets();
  return presets;
}

const DrainPreset& drain_preset(std::string_view system) {
  for (const auto& p : drain_presets()) {
    if (p.system == system) return p;
  }
  std::string known;
  for (const auto& p : drain_presets()) known += (known.empty() ? "" : ", ") + p.system;
  throw InvalidArgument("no Drain preset for '" + std::string(system) + "' (known: " + known + ")");
}

}  // namespace tessera::logs
