/* mc_mpi.h — `mpirun -np R crisim mc ...`: one batch spread over R MPI ranks, gathered on rank 0.
 * Invariant: rank r computes the positions p of the batch with p % R == r; rank 0 writes every row
 * in position order, so the files are byte-identical to a run on one process. No MPI type leaks
 * out of mc_mpi.c, and without MPI (CRISIM_HAVE_MPI undefined) every call is a harmless stub. */
#ifndef CX_MC_MPI_H
#define CX_MC_MPI_H

#include <stddef.h>
#include <stdint.h>

#include "io/batch.h"

/* 1 when crisim was built with MPI. */
int mc_mpi_compiled(void);
/* The MPI library's version string ("" without MPI). */
const char *mc_mpi_library(void);
/* The rank an MPI launcher (mpirun, mpiexec, srun) gave this process through the environment, or
 * -1 when it was not started by one. Valid before mc_mpi_begin. */
int mc_mpi_launch_rank(void);

/* Starts MPI when the process was started by an MPI launcher, or when force is set: *rank, *size
 * of MPI_COMM_WORLD (0 and 1 when MPI is not started). Returns 0, or -1 with a message in err
 * (force without MPI support). */
int mc_mpi_begin(int force, int *rank, int *size, char *err, size_t errn);
/* MPI_Finalize, when mc_mpi_begin started MPI. */
void mc_mpi_end(void);
/* Ranks on this node (collective: every rank calls it); 1 without MPI. */
int mc_mpi_local_size(void);
/* Logical AND of ok over all ranks (ok itself without MPI). */
int mc_mpi_all_ok(int ok);
/* Broadcasts n bytes of buf from rank 0 (no-op without MPI). */
void mc_mpi_bcast(void *buf, size_t n);

/* Rank 0's part of a batch spread over `size` ranks. cfg describes the whole batch as for
 * cxi_batch_run (shard k/K, first = global positions already done, threads per rank) with a
 * line_sink, which receives every row in position order; values is NULL for rows computed on
 * other ranks. progress counts global positions written. Outcome and status as cxi_batch_run's:
 * a failed replicate on any rank, or a rank that stopped (signal) leaves the rows before the first
 * missing one written. Ranks are told to stop when rank 0 stops. */
cx_status mc_mpi_run_root(const cxi_batch_config *cfg, int size, cxi_batch_outcome *out);
/* The part of rank >= 1: computes its positions with cfg's threads and sends the rows to rank 0.
 * cfg->poll (signals) and a stop request from rank 0 end it early. */
cx_status mc_mpi_run_worker(const cxi_batch_config *cfg, int rank, int size,
                            cxi_batch_outcome *out);

#endif
