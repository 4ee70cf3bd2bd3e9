/* sitrep.h — the situation report of a running simulation, as Markdown meant to be read aloud.
 * Invariant: library code: it prints nothing itself, writes only to the caller's FILE*, and the text
 * depends only on the simulation state (same state => same bytes). */
#ifndef CX_SITREP_H
#define CX_SITREP_H

#include <stddef.h>
#include <stdio.h>

#include "crisim.h"

/* Writes the report of sim at its current time into f. move: the exercise move (< 0: not shown);
 * heading: first line after "# " (NULL: "Situation report"). Reads the state; settles the metrics
 * of the current instant (as cx_sim_metrics does). CX_EINVAL (NULL sim/f), CX_EIO on a write
 * error, or the metrics' status. */
cx_status cxi_sitrep_write(cx_sim *sim, FILE *f, int move, const char *heading);

/* "T+78:00" (hours:minutes, ":ss" appended when seconds are not 0; "T-02:00" before T0). */
void cxi_sitrep_offset(cx_time t, char *buf, size_t n);
/* "2024-06-06 06:00Z" (seconds appended when not 0). */
void cxi_sitrep_clock(int64_t unix_s, char *buf, size_t n);

#endif
