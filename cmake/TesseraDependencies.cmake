# Every dependency comes from a Debian package; scripts/install-deps.sh installs them.
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
pkg_check_modules(HWLOC REQUIRED IMPORTED_TARGET hwloc)
find_package(nlohmann_json 3 REQUIRED)
find_package(Boost 1.74 REQUIRED)
# GLPK ships no CMake or pkg-config file on Debian.
find_path(GLPK_INCLUDE_DIR glpk.h REQUIRED)
find_library(GLPK_LIBRARY glpk REQUIRED)
add_library(GLPK::GLPK UNKNOWN IMPORTED)
set_target_properties(GLPK::GLPK PROPERTIES IMPORTED_LOCATION ${GLPK_LIBRARY}
  INTERFACE_INCLUDE_DIRECTORIES ${GLPK_INCLUDE_DIR})
if(TESSERA_BUILD_APPS)
  find_package(CLI11 CONFIG REQUIRED)
endif()
if(TESSERA_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(TESSERA_BUILD_BENCH)
  pkg_check_modules(STARPU IMPORTED_TARGET starpu-1.3)
  find_package(TBB CONFIG)
endif()

# CUDA: optional. With the toolkit (nvcc, cuBLAS, cuSOLVER) Tessera gets CUDA workers; a
# machine without a GPU then simply has none. -DTESSERA_CUDA=OFF builds without it.
option(TESSERA_CUDA "Build the CUDA workers and kernels when the CUDA toolkit is found" ON)
set(TESSERA_HAVE_CUDA OFF)
if(TESSERA_CUDA AND NOT TESSERA_FUZZ)  # fuzzing builds the host-side readers only
  if(NOT CUDAToolkit_ROOT AND EXISTS /usr/local/cuda)
    set(CUDAToolkit_ROOT /usr/local/cuda)
  endif()
  find_package(CUDAToolkit QUIET)
  if(CUDAToolkit_FOUND AND TARGET CUDA::cublas AND TARGET CUDA::cusolver)
    set(TESSERA_HAVE_CUDA ON)
    message(STATUS "Tessera: CUDA ${CUDAToolkit_VERSION} found: CUDA workers and kernels enabled")
  else()
    message(STATUS "Tessera: CUDA toolkit not found: building without CUDA workers")
  endif()
endif()

# BLAS/LAPACK for the tile kernels: OpenBLAS and LAPACKE from Debian.
pkg_check_modules(OPENBLAS REQUIRED IMPORTED_TARGET openblas)
find_library(LAPACKE_LIBRARY lapacke REQUIRED)

# MPI (Open MPI from Debian) for the distributed layer, tessera::mpi. Optional: without it
# the library, the `tessera` program and the tests build for one node.
option(TESSERA_MPI "Build the distributed layer (tessera::mpi) when MPI is found" ON)
set(TESSERA_HAVE_MPI OFF)
if(TESSERA_MPI AND NOT TESSERA_FUZZ)
  find_package(MPI COMPONENTS C)
  if(MPI_C_FOUND)
    set(TESSERA_HAVE_MPI ON)
    message(STATUS "Tessera: MPI ${MPI_C_VERSION} found: distributed layer enabled")
  else()
    message(STATUS "Tessera: MPI not found: building without the distributed layer")
  endif()
endif()

# LibTorch (Debian's libtorch-dev, CPU) and sentencepiece for the learning layer
# (codelets/nn) and the workloads on it. Optional: without them the runtime, the policies
# and the dense workloads build and test as before, and the learning parts are left out.
option(TESSERA_TORCH "Build the LibTorch layer and the learning workloads when LibTorch is found" ON)
set(TESSERA_HAVE_TORCH OFF)
if(TESSERA_TORCH AND NOT TESSERA_FUZZ)
  find_package(Torch CONFIG QUIET)
  pkg_check_modules(SENTENCEPIECE QUIET IMPORTED_TARGET sentencepiece)
  if(Torch_FOUND AND SENTENCEPIECE_FOUND)
    set(TESSERA_HAVE_TORCH ON)
    message(STATUS "Tessera: LibTorch and sentencepiece found: learning workloads enabled")
  else()
    message(STATUS "Tessera: LibTorch or sentencepiece not found (apt-get install libtorch-dev "
                   "libsentencepiece-dev): building without the learning workloads (tessera lm)")
  endif()
endif()
