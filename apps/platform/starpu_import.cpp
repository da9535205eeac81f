#include "platform/starpu_import.hpp"

#include <cmath>
#include <fstream>
#include <sstream>

#include <tessera/error.hpp>

#include "dags/tile_kernels.hpp"

namespace tessera::tools {
namespace {

// Whitespace-separated tokens of a StarPU text file, without '#' comments, with line numbers
// for error messages.
class Tokens {
 public:
  explicit Tokens(const std::string& path) : path_(path) {
    std::ifstream in(path);
    if (!in) throw InvalidArgument("cannot open StarPU file '" + path + "'");
    read(in);
  }
  Tokens(std::istream& in, const std::string& source) : path_(source) { read(in); }
  void read(std::istream& in) {
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
      ++number;
      line = line.substr(0, line.find('#'));
      std::istringstream words(line);
      std::string word;
      while (words >> word) tokens_.push_back({word, number});
    }
  }
  bool done() const { return next_ >= tokens_.size(); }
  std::string word(const char* what) {
    if (done()) throw InvalidArgument(path_ + ": ended while reading " + what);
    return tokens_[next_++].text;
  }
  double number(const char* what) {
    const std::string w = word(what);
    char* end = nullptr;
    const double v = std::strtod(w.c_str(), &end);
    if (end == w.c_str() || *end != '\0') {
      throw InvalidArgument(path_ + ":" + std::to_string(tokens_[next_ - 1].line) + ": expected " +
                            what + ", got '" + w + "'");
    }
    return v;
  }
  // A non-negative whole number of at most 2^53 (sample counts), else an error naming it.
  std::uint64_t count(const char* what) {
    const double v = number(what);
    if (!(v >= 0 && v <= 9007199254740992.0) || v != std::floor(v)) {
      throw InvalidArgument(path_ + ":" + std::to_string(tokens_[next_ - 1].line) + ": expected " +
                            what + " (a whole number from 0 to 2^53), got '" +
                            tokens_[next_ - 1].text + "'");
    }
    return static_cast<std::uint64_t>(v);
  }
  // A whole number that fits an int (counts and ids), else an error naming it.
  int integer(const char* what) {
    const double v = number(what);
    if (!(std::abs(v) <= 2147483647.0) || v != std::floor(v)) {
      throw InvalidArgument(path_ + ":" + std::to_string(tokens_[next_ - 1].line) + ": expected " +
                            what + " (a whole number of at most 2147483647), got '" +
                            tokens_[next_ - 1].text + "'");
    }
    return static_cast<int>(v);
  }
  [[noreturn]] void fail(const std::string& why) const {
    const int line = tokens_.empty() ? 0 : tokens_[std::min(next_, tokens_.size() - 1)].line;
    throw InvalidArgument(path_ + ":" + std::to_string(line) + ": " + why);
  }

 private:
  struct Token {
    std::string text;
    int line;
  };
  std::string path_;
  std::vector<Token> tokens_;
  std::size_t next_ = 0;
};

Arch starpu_arch(int type, Tokens& t) {
  switch (type) {
    case 0:
      return Arch::cpu;
    case 1:
      return Arch::cuda;
    case 2:
      return Arch::opencl;
    default:
      t.fail("unsupported StarPU device type " + std::to_string(type));
  }
}

std::vector<std::vector<double>> read_matrix(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InvalidArgument("cannot open StarPU bus file '" + path + "'");
  std::vector<std::vector<double>> rows;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream words(line);
    std::vector<double> row;
    std::string w;
    while (words >> w) row.push_back(std::strtod(w.c_str(), nullptr));
    rows.push_back(std::move(row));
  }
  return rows;
}

// Pooled statistics of every device of one architecture, per size.
std::map<double, StarpuEntry> pool(const std::vector<StarpuDeviceModel>& devices, Arch arch) {
  std::map<double, StarpuEntry> pooled;
  for (const StarpuDeviceModel& d : devices) {
    if (d.arch != arch || d.ncores != 1) continue;
    for (const StarpuEntry& e : d.entries) {
      if (e.n == 0) continue;
      StarpuEntry& p = pooled[e.size];
      p.size = e.size;
      p.flops = std::max(p.flops, e.flops);
      p.sum += e.sum;
      p.sum2 += e.sum2;
      p.n += e.n;
    }
  }
  for (auto& [size, p] : pooled) {
    p.mean_us = p.sum / static_cast<double>(p.n);
    p.stddev_us =
        std::sqrt(std::max(0.0, p.sum2 / static_cast<double>(p.n) - p.mean_us * p.mean_us));
  }
  return pooled;
}

// A task type of the platform and where its costs come from.
struct KernelSource {
  const char* type;
  const char* codelet;  // StarPU codelet file prefix
  double tiles;         // tiles accessed, to find the reference size among StarPU's byte sizes
  int elem_size;
};

constexpr KernelSource kSources[] = {
    {"potrf", "chol_model_potrf", dags::kPotrf.tiles, 4},
    {"trsm", "chol_model_trsm", dags::kTrsm.tiles, 4},
    {"syrk", "chol_model_syrk", dags::kSyrk.tiles, 4},
    {"gemm", "chol_model_gemm", dags::kGemm.tiles, 4},
    {"getrf", "starpu_slu_lu_model_getrf", dags::kGetrf.tiles, 4},
    {"trsm_ll", "starpu_slu_lu_model_trsm_ll", dags::kTrsmLL.tiles, 4},
    {"trsm_ru", "starpu_slu_lu_model_trsm_ru", dags::kTrsmRU.tiles, 4},
    {"dgemm", "starpu_dgemm_gemm", dags::kGemm.tiles, 8},
    {"dgetrf", "starpu_dlu_lu_model_getrf", dags::kGetrf.tiles, 8},
    {"dtrsm_ll", "starpu_dlu_lu_model_trsm_ll", dags::kTrsmLL.tiles, 8},
    {"dtrsm_ru", "starpu_dlu_lu_model_trsm_ru", dags::kTrsmRU.tiles, 8},
};

// QR tile kernels have no StarPU sample: their cost is GEMM's scaled by the flop ratio
// (Buttari et al., tile QR: GEQRT 4/3 b^3, TSQRT 2 b^3, UNMQR 2 b^3, TSMQR 4 b^3 against GEMM's
// 2 b^3) and divided by an efficiency relative to GEMM. GEQRT and TSQRT have no GPU version.
struct DerivedKernel {
  const dags::TileKernel& kernel;
  double cpu_efficiency;
  double gpu_efficiency;  // 0: CPU only
};

constexpr DerivedKernel kDerived[] = {
    {dags::kGeqrt, 0.40, 0.0},
    {dags::kTsqrt, 0.45, 0.0},
    {dags::kUnmqr, 0.65, 0.45},
    {dags::kTsmqr, 0.75, 0.55},
};

CostEntry entry_from(const std::map<double, StarpuEntry>& pooled, double reference_bytes) {
  CostEntry c;
  const StarpuEntry* ref = nullptr;
  for (const auto& [size, e] : pooled) {
    c.by_size.push_back({e.size, e.mean_us, e.stddev_us, e.n});
    if (ref == nullptr ||
        std::abs(e.size - reference_bytes) < std::abs(ref->size - reference_bytes))
      ref = &e;
  }
  c.mean_us = ref->mean_us;
  c.stddev_us = ref->stddev_us;
  return c;
}

}  // namespace

namespace {
std::vector<StarpuDeviceModel> parse_perfmodel_tokens(Tokens& t);
}  // namespace

std::vector<StarpuDeviceModel> parse_starpu_perfmodel(const std::string& path) {
  Tokens t(path);
  return parse_perfmodel_tokens(t);
}

std::vector<StarpuDeviceModel> parse_starpu_perfmodel(std::istream& in, const std::string& source) {
  Tokens t(in, source);
  return parse_perfmodel_tokens(t);
}

namespace {
std::vector<StarpuDeviceModel> parse_perfmodel_tokens(Tokens& t) {
  const int version = t.integer("the format version");
  if (version != 45)
    t.fail("perfmodel format version " + std::to_string(version) +
           " is not supported (expected 45)");
  const int combs = t.integer("the number of combinations");
  std::vector<StarpuDeviceModel> devices;
  for (int c = 0; c < combs; ++c) {
    const int ndev = t.integer("the number of devices");
    StarpuDeviceModel model;
    for (int d = 0; d < ndev; ++d) {
      const int type = t.integer("a device type");
      const int id = t.integer("a device id");
      const int cores = t.integer("a core count");
      if (d == 0) {
        model.arch = starpu_arch(type, t);
        model.device_id = id;
        model.ncores = cores;
      }
    }
    const int impls = t.integer("the number of implementations");
    for (int impl = 0; impl < impls; ++impl) {
      const int nentries = t.integer("the number of entries");
      for (int k = 0; k < 9; ++k) t.number("a regression sum");
      for (int k = 0; k < 3; ++k) t.number("a non-linear regression coefficient");
      if (t.integer("the multiple-regression flag") != 0)
        t.fail("multiple-regression models are not supported");
      for (int e = 0; e < nentries; ++e) {
        StarpuEntry entry;
        entry.hash = t.word("a footprint hash");
        entry.size = t.number("a size");
        entry.flops = t.number("a flop count");
        entry.mean_us = t.number("a mean");
        entry.stddev_us = t.number("a deviation");
        entry.sum = t.number("a sum");
        entry.sum2 = t.number("a sum of squares");
        entry.n = t.count("a sample count");
        if (impl == 0) model.entries.push_back(entry);
      }
    }
    devices.push_back(std::move(model));
  }
  return devices;
}
// The value of a SimGrid <prop id="NAME" value="..."/> on this line, or "" when absent.
std::string property_value(const std::string& line, const std::string& name) {
  const std::string key = "\"" + name + "\" value=\"";
  const auto at = line.find(key);
  if (at == std::string::npos) return {};
  const auto begin = at + key.size();
  const auto end = line.find('"', begin);
  return end == std::string::npos ? std::string{} : line.substr(begin, end - begin);
}
}  // namespace

StarpuBus parse_starpu_bus(const std::string& dir, const std::string& machine) {
  StarpuBus bus;
  const std::string base = dir + "/bus/" + machine;
  {
    Tokens t(base + ".config");
    bus.ncpus = t.integer("the number of CPUs");
    bus.ncuda = t.integer("the number of CUDA devices");
  }
  bus.bandwidth_MBps = read_matrix(base + ".bandwidth");
  bus.latency_us = read_matrix(base + ".latency");
  const std::size_t nodes = static_cast<std::size_t>(bus.ncuda) + 1;
  if (bus.bandwidth_MBps.size() < nodes || bus.latency_us.size() < nodes) {
    throw InvalidArgument(base + ".bandwidth/.latency: fewer rows than the " +
                          std::to_string(nodes) + " memory nodes");
  }
  std::ifstream xml(base + ".platform.xml");
  std::string line;
  bool in_cuda = false;
  while (std::getline(xml, line)) {
    if (line.find("<host id=\"CUDA") != std::string::npos) in_cuda = true;
    if (line.find("</host>") != std::string::npos) in_cuda = false;
    if (!in_cuda) continue;
    if (const auto size = property_value(line, "memsize"); !size.empty()) {
      bus.gpu_memory_bytes.push_back(std::stoull(size));
    }
    if (bus.gpu_model.empty()) bus.gpu_model = property_value(line, "model");
  }
  return bus;
}

Platform import_starpu_platform(const std::string& dir, const std::string& machine) {
  const StarpuBus bus = parse_starpu_bus(dir, machine);
  constexpr int kTile = 960;
  Platform p;
  p.name = machine;
  p.tile = kTile;
  const int cpu_workers = bus.ncpus - bus.ncuda;
  p.description =
      std::to_string(bus.ncpus) + " CPU cores (" + std::to_string(cpu_workers) + " CPU workers; " +
      std::to_string(bus.ncuda) + " drive the GPUs) + " + std::to_string(bus.ncuda) + " " +
      (bus.gpu_model.empty() ? "CUDA GPU(s)" : bus.gpu_model) +
      ". Imported from StarPU's calibrated models (tools/perfmodels/sampling); costs in single "
      "precision at tile size 960 unless the type starts with 'd'.";

  p.memory_nodes.push_back({0, MemoryKind::host, 64ull << 30});
  for (int g = 0; g < bus.ncuda; ++g) {
    const std::uint64_t bytes = static_cast<std::size_t>(g) < bus.gpu_memory_bytes.size()
                                    ? bus.gpu_memory_bytes[static_cast<std::size_t>(g)]
                                    : (4ull << 30);
    p.memory_nodes.push_back({g + 1, MemoryKind::cuda, bytes});
  }
  if (cpu_workers > 0) p.workers.push_back({Arch::cpu, cpu_workers, 0, "cpu"});
  for (int g = 0; g < bus.ncuda; ++g) p.workers.push_back({Arch::cuda, 1, g + 1, "cuda"});
  const std::size_t nodes = static_cast<std::size_t>(bus.ncuda) + 1;
  for (std::size_t from = 0; from < nodes; ++from) {
    for (std::size_t to = 0; to < nodes; ++to) {
      if (from == to) continue;
      const double bw = bus.bandwidth_MBps[from][to];
      const double lat = bus.latency_us[from][to];
      if (std::isnan(bw) || bw <= 0 || std::isnan(lat)) continue;
      p.links.push_back({static_cast<int>(from), static_cast<int>(to), bw, lat, true});
    }
  }

  for (const KernelSource& k : kSources) {
    const std::string path = dir + "/codelets/45/" + k.codelet + "." + machine;
    if (!std::ifstream(path)) continue;
    const auto devices = parse_starpu_perfmodel(path);
    const double reference_bytes = k.tiles * kTile * kTile * k.elem_size;
    for (Arch arch : {Arch::cpu, Arch::cuda}) {
      const auto pooled = pool(devices, arch);
      if (!pooled.empty())
        p.task_costs[k.type][std::string(to_string(arch))] = entry_from(pooled, reference_bytes);
    }
  }
  const auto gemm = p.task_costs.find("gemm");
  if (gemm != p.task_costs.end()) {
    for (const DerivedKernel& d : kDerived) {
      for (const auto& [kind, g] : gemm->second) {
        const double efficiency = kind == "cpu" ? d.cpu_efficiency : d.gpu_efficiency;
        if (efficiency <= 0) continue;
        const double flop_ratio = d.kernel.flop_factor / dags::kGemm.flop_factor;
        const double scale = flop_ratio / efficiency;
        CostEntry c;
        c.mean_us = g.mean_us * scale;
        c.stddev_us = g.stddev_us * scale;
        for (const CostSample& s : g.by_size) {
          // Same tile size as the GEMM sample: scale its bytes by the tiles each kernel touches.
          c.by_size.push_back({s.bytes / dags::kGemm.tiles * d.kernel.tiles, s.mean_us * scale,
                               s.stddev_us * scale, 0});
        }
        std::ostringstream why;
        why << "gemm x " << flop_ratio << " (flop ratio) / " << efficiency
            << " (efficiency relative to gemm)";
        c.derived_from = why.str();
        p.task_costs[std::string(d.kernel.type)][kind] = c;
      }
    }
  }
  return p;
}

}  // namespace tessera::tools
