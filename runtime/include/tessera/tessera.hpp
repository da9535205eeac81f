#pragma once
// Tessera: a task-based runtime for heterogeneous machines. Include this one header.

#include "tessera/access.hpp"
#include "tessera/arch.hpp"
#include "tessera/args.hpp"
#include "tessera/codelet.hpp"
#include "tessera/config.hpp"
#include "tessera/data.hpp"
#include "tessera/error.hpp"
#include "tessera/perf_model.hpp"
#include "tessera/policy.hpp"
#include "tessera/progress.hpp"
#include "tessera/runtime.hpp"
#include "tessera/task.hpp"
#include "tessera/task_context.hpp"
#include "tessera/version.hpp"
#include "tessera/worker.hpp"
