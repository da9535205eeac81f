# How the project's tests start MPI jobs on one machine.
#
# The ranks share the machine's cores (--oversubscribe, --bind-to none), and Open MPI is held
# to its shared-memory transport: no UCX, libfabric or TCP fabric probing, no cross-memory
# attach (which needs ptrace rights that containers often withhold), out-of-band wire-up over
# loopback only, and PMIx's hash data store instead of its shared-memory one. Each of these
# has been known to stall or abort MPI start-up inside CI containers; none changes what the
# tests check. Users on clusters keep their site's settings: see docs/mpi.md.

find_program(TESSERA_MPIEXEC NAMES mpirun mpiexec REQUIRED)
set(TESSERA_MPIRUN ${TESSERA_MPIEXEC} --oversubscribe --allow-run-as-root --bind-to none)
set(TESSERA_MPI_TEST_ENVIRONMENT
  "OMPI_MCA_pml=ob1"
  "OMPI_MCA_btl=self,vader"
  "OMPI_MCA_btl_vader_single_copy_mechanism=none"
  "OMPI_MCA_osc=^ucx"
  "OMPI_MCA_oob_tcp_if_include=lo"
  "PMIX_MCA_gds=hash"
  # Sanitizer builds: Open MPI keeps allocations until exit on purpose; report errors, not leaks.
  "ASAN_OPTIONS=detect_leaks=0"
  "TESSERA_SCHED=" "TESSERA_NCPU=" "TESSERA_TRACE=" "TESSERA_DOT=")

# tessera_add_mpi_launch_test(NAME <name> NP <ranks> [TIMEOUT <s>] COMMAND <program> <args>...)
# A ctest entry that runs <program> on <ranks> ranks, labelled "mpi", with the environment
# above. The job is bounded by TIMEOUT (120 s unless given) so that a stall fails the test
# instead of holding up the whole suite. Every such test needs the fixture "mpi_launcher":
# when mpirun cannot start a job here at all, they are reported as not run, at once.
function(tessera_add_mpi_launch_test)
  cmake_parse_arguments(ARG "" "NAME;NP;TIMEOUT" "COMMAND;LABELS" ${ARGN})
  if(NOT ARG_NAME OR NOT ARG_NP OR NOT ARG_COMMAND)
    message(FATAL_ERROR "tessera_add_mpi_launch_test: NAME, NP and COMMAND are required")
  endif()
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 120)
  elseif(ARG_TIMEOUT LESS 30)
    message(FATAL_ERROR "tessera_add_mpi_launch_test(${ARG_NAME}): TIMEOUT ${ARG_TIMEOUT} is under 30 s")
  endif()
  set(labels mpi ${ARG_LABELS})
  # The job itself gets 15 s less than ctest, so that scripts/run-bounded.sh, not ctest, ends a
  # stalled job, and ends all of it.
  math(EXPR job_limit "${ARG_TIMEOUT} - 15")
  add_test(NAME ${ARG_NAME}
    COMMAND ${PROJECT_SOURCE_DIR}/scripts/run-bounded.sh ${job_limit} ${TESSERA_MPIRUN} -np ${ARG_NP} ${ARG_COMMAND})
  set_tests_properties(${ARG_NAME} PROPERTIES LABELS "${labels}" TIMEOUT ${ARG_TIMEOUT}
    PROCESSORS 2 ENVIRONMENT "${TESSERA_MPI_TEST_ENVIRONMENT}")
  if(NOT ARG_NAME STREQUAL "mpi.launcher")
    set_tests_properties(${ARG_NAME} PROPERTIES FIXTURES_REQUIRED mpi_launcher)
  endif()
endfunction()
