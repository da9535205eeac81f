#pragma once
// Environment: MPI initialised for Tessera for the lifetime of the object (RAII). Tessera's
// communication thread calls MPI while the application's threads run, so MPI must provide
// at least MPI_THREAD_SERIALIZED; Environment asks for MPI_THREAD_MULTIPLE.
//
//   int main(int argc, char** argv) {
//     tessera::mpi::Environment env(argc, argv);
//     tessera::Runtime rt;
//     tessera::mpi::Context ctx(rt);
//     ...
//   }

namespace tessera::mpi {

class Environment {
 public:
  // Initialises MPI unless the application already did (then it only checks the thread
  // level). Throws Error when MPI cannot provide the thread level Tessera needs.
  Environment(int& argc, char**& argv);
  Environment();
  // Finalises MPI if this object initialised it.
  ~Environment();
  Environment(const Environment&) = delete;
  Environment& operator=(const Environment&) = delete;

  int rank() const;
  int size() const;
  // Ends every rank of the job now with `code` (MPI_Abort): for after an error was reported,
  // when ranks may still hold unmatched messages that a clean MPI_Finalize would wait for.
  [[noreturn]] static void abort(int code);

 private:
  void init(int* argc, char*** argv);
  bool initialised_here_ = false;
};

}  // namespace tessera::mpi
