/* bench_ext.h — benchmarks of the Monte Carlo runner and of scale, dispatched by `crisim bench`.
 * Each takes argv starting at its name ("mc", "scale"), prints key=value lines on stdout, and
 * returns an exit status (0 ok, 1 failure, 2 usage). */
#ifndef CX_BENCH_EXT_H
#define CX_BENCH_EXT_H

/* `crisim bench mc [--scenarios DIR...] [-n N]`: replicates/s at J=1 and J=2, RSS at two N. */
int bench_mc(int argc, char **argv);
/* `crisim bench scale [--sizes 1000,10000,100000] [--links-per-asset 3]`: generate, load, run. */
int bench_scale(int argc, char **argv);

#endif
