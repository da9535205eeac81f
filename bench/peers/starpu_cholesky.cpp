#include "starpu_cholesky.hpp"

#include "starpu_tiles.hpp"

#include <starpu.h>

#include <chrono>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include <dags/dense_factorizations.hpp>
#include <tessera/codelets/blas/blas_codelets.hpp>
#include <tessera/codelets/blas/tile_kernels_cpu.hpp>

namespace tessera::peers {
namespace {

// History-based models keyed by tile size, as Chameleon's, so that dmda/dmdas calibrate.
struct Kernels {
  starpu_perfmodel models[4]{};
  starpu_codelet codelets[4]{};

  Kernels() {
    const char* symbols[4] = {"tessera_peer_dpotrf", "tessera_peer_dtrsm", "tessera_peer_dsyrk",
                              "tessera_peer_dgemm"};
    const char* names[4] = {"potrf", "trsm", "syrk", "gemm"};
    starpu_cpu_func_t funcs[4] = {starpu_kernels::potrf, starpu_kernels::trsm_cholesky,
                                  starpu_kernels::syrk, starpu_kernels::gemm_nt};
    const int buffers[4] = {1, 2, 2, 3};
    for (int k = 0; k < 4; ++k) {
      models[k].type = STARPU_HISTORY_BASED;
      models[k].symbol = symbols[k];
      starpu_codelet_init(&codelets[k]);
      codelets[k].cpu_funcs[0] = funcs[k];
      codelets[k].nbuffers = buffers[k];
      for (int i = 0; i < buffers[k]; ++i)
        codelets[k].modes[i] = i + 1 == buffers[k] ? STARPU_RW : STARPU_R;
      codelets[k].model = &models[k];
      codelets[k].name = names[k];
    }
  }
  starpu_codelet* find(std::string_view type) {
    for (starpu_codelet& c : codelets) {
      if (type == c.name) return &c;
    }
    throw std::logic_error("no StarPU codelet for tile kernel " + std::string(type));
  }
};

Kernels& kernels() {
  static Kernels k;
  return k;
}

class StarpuSink final : public dags::TileSink {
 public:
  StarpuSink(std::vector<starpu_data_handle_t>& tiles, int n) : tiles_(tiles), n_(n) {}
  void task(const dags::TileKernel& kernel, std::initializer_list<dags::TileAccess> accesses,
            int priority, int, int, int) override {
    starpu_task* t = starpu_task_create();
    t->cl = kernels().find(kernel.type);
    int i = 0;
    for (const dags::TileAccess& a : accesses) {
      t->handles[i++] = tiles_[static_cast<std::size_t>(a.tile.row + a.tile.col * n_)];
    }
    t->priority = priority;
    if (const int rc = starpu_task_submit(t); rc != 0) {
      throw std::runtime_error("starpu_task_submit failed (" + std::to_string(rc) + ")");
    }
    ++count;
  }
  std::size_t count = 0;

 private:
  std::vector<starpu_data_handle_t>& tiles_;
  int n_;
};

}  // namespace

StarpuSession::StarpuSession(const StarpuOptions& o) {
  starpu_conf conf = cpu_only_conf(o.ncpu);
  conf.precedence_over_environment_variables = o.environment_wins ? 0 : 1;
  if (o.policy != nullptr) {
    conf.sched_policy = o.policy;
  } else {
    conf.sched_policy_name = o.sched.c_str();
  }
  if (const int rc = starpu_init(&conf); rc != 0) {
    throw std::runtime_error("starpu_init failed (" + std::to_string(rc) + ")");
  }
}

StarpuSession::~StarpuSession() {
  starpu_shutdown();
}

std::string StarpuSession::policy_name() const {
  const starpu_sched_policy* p = starpu_sched_ctx_get_sched_policy(0);  // the initial context
  return p != nullptr && p->policy_name != nullptr ? p->policy_name : "?";
}

unsigned StarpuSession::worker_count() const {
  return starpu_worker_get_count();
}

StarpuRun starpu_cholesky(StarpuSession&, std::vector<double>& a, std::size_t n, std::size_t nb) {
  if (n == 0 || nb == 0 || nb > n || a.size() != n * n) {
    throw std::invalid_argument("starpu_cholesky: bad sizes n=" + std::to_string(n) +
                                " nb=" + std::to_string(nb));
  }
  const std::size_t tiles = (n + nb - 1) / nb;
  auto extent = [&](std::size_t i) { return std::min(nb, n - i * nb); };
  std::vector<starpu_data_handle_t> handles(tiles * tiles);
  for (std::size_t j = 0; j < tiles; ++j) {
    for (std::size_t i = 0; i < tiles; ++i) {
      starpu_matrix_data_register(&handles[i + j * tiles], STARPU_MAIN_RAM,
                                  reinterpret_cast<uintptr_t>(&a[i * nb + j * nb * n]),
                                  static_cast<uint32_t>(n), static_cast<uint32_t>(extent(i)),
                                  static_cast<uint32_t>(extent(j)), sizeof(double));
    }
  }
  g_tile_failed = false;
  StarpuRun run;
  const auto start = std::chrono::steady_clock::now();
  StarpuSink sink(handles, static_cast<int>(tiles));
  dags::cholesky(static_cast<int>(tiles), sink);
  starpu_task_wait_for_all();
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  run.tasks = sink.count;
  for (starpu_data_handle_t h : handles) starpu_data_unregister(h);
  if (g_tile_failed)
    throw std::runtime_error("starpu_cholesky: a tile kernel failed (matrix not SPD?)");
  return run;
}

}  // namespace tessera::peers
