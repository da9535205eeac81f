// LD_PRELOAD=libtessera-starpu-inspirit-preload.so STARPU_SCHED=tessera-inspirit ./app
// installs Tessera's INSPIRIT in an unmodified StarPU application: starpu_init and
// starpu_initialize are intercepted, and when STARPU_SCHED names this policy the
// application's configuration is copied with the policy set (StarPU takes a configured
// policy object before it looks up STARPU_SCHED by name). Otherwise nothing changes.

#include <dlfcn.h>
#include <starpu.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "tessera/starpu_inspirit.h"

namespace {

bool requested() {
  const char* sched = std::getenv("STARPU_SCHED");
  return sched != nullptr && std::strcmp(sched, "tessera-inspirit") == 0;
}

template <class F>
F next(const char* name) {
  void* f = dlsym(RTLD_NEXT, name);
  if (f == nullptr) {
    std::fprintf(stderr,
                 "libtessera-starpu-inspirit-preload: %s not found (is the application linked with "
                 "StarPU?)\n",
                 name);
    std::abort();
  }
  return reinterpret_cast<F>(f);
}

// The application's configuration (or StarPU's defaults) with our policy set.
starpu_conf with_policy(const starpu_conf* conf) {
  starpu_conf copy;
  if (conf != nullptr) {
    std::memcpy(&copy, conf, sizeof copy);
  } else {
    starpu_conf_init(&copy);
  }
  copy.sched_policy = tessera_starpu_inspirit_policy();
  copy.sched_policy_name = nullptr;
  return copy;
}

}  // namespace

extern "C" int starpu_initialize(struct starpu_conf* conf, int* argc, char*** argv) {
  using Fn = int (*)(starpu_conf*, int*, char***);
  static const Fn real = next<Fn>("starpu_initialize");
  if (!requested()) return real(conf, argc, argv);
  starpu_conf patched = with_policy(conf);
  return real(&patched, argc, argv);
}

extern "C" int starpu_init(struct starpu_conf* conf) {
  using Fn = int (*)(starpu_conf*);
  static const Fn real = next<Fn>("starpu_init");
  if (!requested()) return real(conf);
  starpu_conf patched = with_policy(conf);
  return real(&patched);
}
