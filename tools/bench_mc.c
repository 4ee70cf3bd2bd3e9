/* bench_mc.c — placeholder while being written. */
#include <stdio.h>
#include "bench_ext.h"
int bench_mc(int argc, char **argv) { (void)argc; (void)argv; return 1; }
