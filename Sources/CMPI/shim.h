// Open MPI's C API for Swift. MPI_COMM_WORLD, MPI_FLOAT and friends are macros over global symbols,
// which Swift cannot import; these functions return them.
#include <mpi.h>

static inline MPI_Comm stagecraft_mpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype stagecraft_mpi_float(void) { return MPI_FLOAT; }
static inline MPI_Datatype stagecraft_mpi_int64(void) { return MPI_INT64_T; }
static inline MPI_Datatype stagecraft_mpi_double(void) { return MPI_DOUBLE; }
static inline MPI_Datatype stagecraft_mpi_byte(void) { return MPI_BYTE; }
static inline MPI_Status *stagecraft_mpi_status_ignore(void) { return MPI_STATUS_IGNORE; }
static inline MPI_Request stagecraft_mpi_request_null(void) { return MPI_REQUEST_NULL; }
static inline MPI_Op stagecraft_mpi_sum(void) { return MPI_SUM; }
static inline int stagecraft_mpi_success(void) { return MPI_SUCCESS; }
static inline int stagecraft_mpi_thread_serialized(void) { return MPI_THREAD_SERIALIZED; }
static inline void *stagecraft_mpi_in_place(void) { return MPI_IN_PLACE; }
