#include "tessera/nn/corpus.hpp"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>

#include <tessera/error.hpp>

#ifndef TESSERA_SOURCE_DATA_DIR
#define TESSERA_SOURCE_DATA_DIR "data"
#endif

namespace tessera::nn {
namespace {

constexpr const char* kLogSystems[] = {"Android",   "Apache",    "BGL",   "HDFS",    "HPC",
                                       "Hadoop",    "HealthApp", "Linux", "Mac",     "OpenSSH",
                                       "OpenStack", "Proxifier", "Spark", "Windows", "Zookeeper"};

void strip_cr(std::string& line) {
  if (!line.empty() && line.back() == '\r') line.pop_back();
}

void append(std::vector<std::string>& to, std::vector<std::string>&& from) {
  to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
}

// The verse number that opens a verse line ("  12 And God said..."): the text after it,
// or npos when the line does not open a verse.
std::size_t verse_text_start(const std::string& line) {
  std::size_t i = 0;
  while (i < line.size() && line[i] == ' ') ++i;
  const std::size_t digits = i;
  while (i < line.size() && line[i] >= '0' && line[i] <= '9') ++i;
  if (i == digits || digits == 0 || i >= line.size() || line[i] != ' ') return std::string::npos;
  return i + 1;
}

// The King James text through the `bible` program of Debian's bible-kjv package, one
// verse a line. The program prints a heading per chapter ("Genesis 1"), a blank line, then
// each verse as "  N text" wrapped onto continuation lines.
std::vector<std::string> kjv_lines() {
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen("bible Gen1:1-Rev22:21 2>/dev/null", "r"),
                                             pclose);
  if (!pipe) throw Error("corpus 'kjv': cannot start the 'bible' program");
  std::vector<std::string> verses;
  std::string verse, line;
  bool open = false;
  auto close = [&] {
    if (open && !verse.empty()) verses.push_back(std::move(verse));
    verse.clear();
    open = false;
  };
  char buffer[8192];
  while (std::fgets(buffer, sizeof buffer, pipe.get()) != nullptr) {
    line += buffer;
    if (line.empty() || line.back() != '\n') continue;
    line.pop_back();
    strip_cr(line);
    if (const std::size_t text = verse_text_start(line); text != std::string::npos) {
      close();
      verse = line.substr(text);
      open = true;
    } else if (line.empty()) {
      close();
    } else if (open) {
      verse += ' ';
      verse += line;
    }  // else: a chapter heading
    line.clear();
  }
  close();
  if (verses.size() < 1000) {
    throw InvalidArgument(
        "corpus 'kjv': the 'bible' program gave no text; install it: apt-get install bible-kjv");
  }
  return verses;
}

std::filesystem::path log_file(const std::filesystem::path& data_dir, std::string_view system) {
  return data_dir / "loghub" / system / (std::string(system) + "_2k.log");
}

}  // namespace

std::vector<std::string> read_lines(const std::filesystem::path& path, bool allow_empty) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InvalidArgument("corpus: cannot open '" + path.string() + "'");
  std::string head(65536, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<std::size_t>(in.gcount()));
  if (head.find('\0') != std::string::npos) {
    throw InvalidArgument("corpus: '" + path.string() +
                          "' is not a text file (it holds NUL bytes)");
  }
  in.clear();
  in.seekg(0);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    strip_cr(line);
    lines.push_back(std::move(line));
  }
  std::size_t non_empty = 0;
  for (const std::string& l : lines) non_empty += l.empty() ? 0 : 1;
  if (non_empty == 0 && !allow_empty)
    throw InvalidArgument("corpus: '" + path.string() + "' has no text");
  return lines;
}

CorpusSplits split_lines(std::span<const std::string> lines, std::size_t block) {
  if (block == 0) throw InvalidArgument("corpus: split block must be at least 1 line");
  CorpusSplits s;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].empty()) continue;
    const std::size_t slot = (i / block) % 20;
    (slot == 18 ? s.valid : slot == 19 ? s.test : s.train).push_back(lines[i]);
  }
  return s;
}

CorpusSplits load_source(std::string_view source, const std::filesystem::path& data_dir) {
  if (source == "kjv") {
    const auto lines = kjv_lines();
    return split_lines(lines);
  }
  if (source == "logs" || source.starts_with("logs:")) {
    std::vector<std::string_view> systems;
    if (source == "logs") {
      systems.assign(std::begin(kLogSystems), std::end(kLogSystems));
    } else {
      systems.push_back(source.substr(5));
    }
    CorpusSplits all;
    for (std::string_view system : systems) {
      const auto path = log_file(data_dir, system);
      if (!std::filesystem::exists(path)) {
        throw InvalidArgument("corpus '" + std::string(source) + "': no log sample '" +
                              path.string() + "' (set TESSERA_DATA_DIR to the project's data/)");
      }
      const auto lines = read_lines(path);
      CorpusSplits one = split_lines(lines, 25);
      append(all.train, std::move(one.train));
      append(all.valid, std::move(one.valid));
      append(all.test, std::move(one.test));
    }
    return all;
  }
  const std::filesystem::path path(source);
  if (!std::filesystem::exists(path)) {
    throw InvalidArgument("corpus: unknown source '" + std::string(source) +
                          "' (not 'kjv', 'logs', 'logs:<System>' or an existing file)");
  }
  const auto lines = read_lines(path);
  return split_lines(lines);
}

void write_splits(const CorpusSplits& splits, const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  auto write = [&](const char* name, const std::vector<std::string>& lines) {
    std::ofstream out(dir / name, std::ios::binary);
    for (const std::string& l : lines) out << l << '\n';
    if (!out) throw Error("corpus: cannot write '" + (dir / name).string() + "'");
  };
  write("train.txt", splits.train);
  write("valid.txt", splits.valid);
  write("test.txt", splits.test);
}

std::vector<std::string> read_split(const std::filesystem::path& dir, std::string_view split) {
  return read_lines(dir / (std::string(split) + ".txt"), /*allow_empty=*/true);
}

std::filesystem::path default_data_dir() {
  if (const char* env = std::getenv("TESSERA_DATA_DIR"); env != nullptr && *env != '\0') {
    return env;
  }
  return TESSERA_SOURCE_DATA_DIR;
}

std::vector<std::int32_t> encode_lines(const Tokenizer& tokenizer,
                                       std::span<const std::string> lines) {
  std::vector<std::int32_t> stream;
  for (const std::string& line : lines) {
    if (line.empty()) continue;
    for (int id : tokenizer.encode(line)) stream.push_back(id);
    stream.push_back(Tokenizer::kEos);
  }
  return stream;
}

WindowSampler::WindowSampler(std::span<const std::int32_t> stream, std::int64_t length,
                             std::uint64_t seed)
    : stream_(stream), length_(length), rng_(seed) {
  if (length < 1) throw InvalidArgument("windows: length must be at least 1");
  if (static_cast<std::int64_t>(stream.size()) < length + 1) {
    throw InvalidArgument("windows: the text has " + std::to_string(stream.size()) +
                          " tokens, fewer than one window of " + std::to_string(length + 1));
  }
}

std::vector<std::int32_t> WindowSampler::sample(std::int64_t count) {
  std::uniform_int_distribution<std::size_t> start(0, stream_.size() - length_ - 1);
  std::vector<std::int32_t> out;
  out.reserve(static_cast<std::size_t>(count * (length_ + 1)));
  for (std::int64_t i = 0; i < count; ++i) {
    const std::size_t s = start(rng_);
    out.insert(out.end(), stream_.begin() + s, stream_.begin() + s + length_ + 1);
  }
  return out;
}

std::span<const std::int32_t> WindowSampler::window(std::int64_t i) const {
  if (i < 0 || i >= windows()) throw InvalidArgument("windows: index out of range");
  return stream_.subspan(static_cast<std::size_t>(i * length_),
                         static_cast<std::size_t>(length_ + 1));
}

std::int64_t WindowSampler::windows() const {
  return (static_cast<std::int64_t>(stream_.size()) - 1) / length_;
}

}  // namespace tessera::nn
