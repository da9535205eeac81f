#pragma once
// Import of StarPU's calibrated performance models (perfmodel format version 45) and bus
// measurements into a Tessera platform description. StarPU's sampling directory holds
// codelets/45/<codelet>.<machine> and bus/<machine>.{config,bandwidth,latency,platform.xml}.

#include <istream>
#include <map>
#include <string>
#include <vector>

#include <tessera/platform.hpp>

namespace tessera::tools {

// One measured size of one StarPU codelet on one device (a "footprint" entry).
struct StarpuEntry {
  std::string hash;
  double size = 0;  // total bytes accessed
  double flops = 0;
  double mean_us = 0;
  double stddev_us = 0;
  double sum = 0;
  double sum2 = 0;
  std::uint64_t n = 0;
};

// The entries of one device (StarPU "combination") of a perfmodel file.
struct StarpuDeviceModel {
  Arch arch = Arch::cpu;
  int device_id = 0;
  int ncores = 1;
  std::vector<StarpuEntry> entries;
};

// Parses a perfmodel file (version 45). Throws InvalidArgument naming the file and line.
std::vector<StarpuDeviceModel> parse_starpu_perfmodel(const std::string& path);
// The same from a stream; errors name `source`.
std::vector<StarpuDeviceModel> parse_starpu_perfmodel(std::istream& in, const std::string& source);

struct StarpuBus {
  int ncpus = 0;
  int ncuda = 0;
  std::vector<std::vector<double>> bandwidth_MBps;  // [from][to], NaN where unmeasured
  std::vector<std::vector<double>> latency_us;
  std::vector<std::uint64_t> gpu_memory_bytes;
  std::string gpu_model;
};

StarpuBus parse_starpu_bus(const std::string& sampling_dir, const std::string& machine);

// Builds the platform of `machine`: one CPU worker per core not driving a GPU (as in
// StarPU), one CUDA worker per GPU on its own memory node, links from the bus matrices, and
// task costs for the Cholesky, LU and GEMM tiles (QR tiles derived from GEMM, marked so).
Platform import_starpu_platform(const std::string& sampling_dir, const std::string& machine);

}  // namespace tessera::tools
