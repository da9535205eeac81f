/* Tessera's INSPIRIT scheduling policy for unmodified StarPU 1.3 applications.
 *
 *   #include <tessera/starpu_inspirit.h>      link with -ltessera-starpu-inspirit
 *   struct starpu_conf conf;
 *   starpu_conf_init(&conf);
 *   conf.sched_policy = tessera_starpu_inspirit_policy();
 *   starpu_init(&conf);
 *
 * or, without changing the application:
 *   LD_PRELOAD=libtessera-starpu-inspirit-preload.so STARPU_SCHED=tessera-inspirit ./app
 *
 * Options come from TESSERA_INSPIRIT_OPTIONS ("key=value,..." as for Tessera's own
 * inspirit policy, e.g. "beta=0.5,window=8"). See docs/starpu.md. */
#ifndef TESSERA_STARPU_INSPIRIT_H
#define TESSERA_STARPU_INSPIRIT_H

#ifdef __cplusplus
extern "C" {
#endif

struct starpu_sched_policy;

/* The policy (policy_name "tessera-inspirit"). Never NULL: a StarPU whose scheduler ABI
 * differs from the one this library was built for is refused when the library loads. */
struct starpu_sched_policy* tessera_starpu_inspirit_policy(void);

/* NULL if StarPU major.minor.release is one this library can drive; else a message naming
 * both versions (static storage). Exposed for tests. */
const char* tessera_starpu_inspirit_abi_error(int major, int minor, int release);

#ifdef __cplusplus
}
#endif

#endif
