// An "unmodified" StarPU application: tiled Cholesky with StarPU's own configuration, the
// scheduler chosen by STARPU_SCHED. Run under the preload library to get Tessera's INSPIRIT.
#include <cstdio>

#include <linalg/factorization.hpp>

#include "starpu_cholesky.hpp"

int main() {
  tessera::peers::StarpuOptions options;
  options.environment_wins = true;  // as an application that leaves the choice to STARPU_SCHED
  tessera::peers::StarpuSession session(options);
  tessera::linalg::FactorizationOptions o;
  o.n = 512;
  o.nb = 128;
  const auto input = tessera::linalg::generate_input<double>(o);
  auto a = input;
  tessera::peers::starpu_cholesky(session, a, o.n, o.nb);
  const double residual = tessera::linalg::scaled_residual(o, input, a);
  std::printf("policy %s, residual %.3g %s\n", session.policy_name().c_str(), residual,
              residual < 10 ? "OK" : "FAILED");
  return residual < 10 ? 0 : 1;
}
