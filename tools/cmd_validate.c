/* cmd_validate.c — `crisim validate DIR`: loads a scenario and prints its size, or every error.
 * Exit status: 0 valid, 2 bad input or usage, 1 when the folder could not be read (I/O, memory). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "crisim.h"
#include "commands.h"
#include "kernel/kernel_api.h"

static void help(FILE *f) {
    fprintf(f, "usage: crisim validate [--quiet] [--decisions FILE] DIR\n\n"
               "Reads the scenario folder DIR (scenario.csv, regions.csv, assets.csv and the\n"
               "optional links.csv, injects.csv, iim.csv, capacities.csv, decisions.csv), checks\n"
               "every row of every table and prints one line with its size, or every error as\n"
               "path:line:col: message.\n\n"
               "options:\n"
               "  -q, --quiet           print nothing when the scenario is valid\n"
               "  -D, --decisions FILE  check FILE as the decisions (instead of DIR/decisions.csv),\n"
               "                        e.g. the decisions.csv of an exercise before `crisim run`\n"
               "  -h, --help            show this help\n\n"
               "exit status: 0 valid, 2 invalid scenario or usage error, 1 read failure.\n"
               "The format is described in docs/scenario-format.md.\n");
}

int cmd_validate(int argc, char **argv) {
    static const struct option opts[] = {{"quiet", no_argument, NULL, 'q'},
                                         {"decisions", required_argument, NULL, 'D'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    int quiet = 0, c;
    cx_load_opts lo;
    (void)cli_load_opts(&lo); /* checked by main() */
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":qD:h", opts, NULL)) != -1) {
        switch (c) {
        case 'q': quiet = 1; break;
        case 'D': lo.decisions = optarg; break;
        case ':': return cli_usage_error("validate", "option '%s' needs a value", argv[optind - 1]);
        case 'h': help(stdout); return 0;
        default: return cli_usage_error("validate", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc) return cli_usage_error("validate", "missing scenario folder DIR");
    if (optind + 1 < argc)
        return cli_usage_error("validate", "one scenario folder expected, got '%s' too",
                               argv[optind + 1]);
    const char *dir = argv[optind];

    cx_diags *diags = NULL;
    if (cx_diags_create(&diags) != CX_OK) {
        fprintf(stderr, "crisim validate: out of memory\n");
        return 1;
    }
    cx_scenario *sc = NULL;
    cx_status st = cx_scenario_load(dir, &lo, &sc, diags);
    if (st != CX_OK) {
        cli_print_diags(diags);
        size_t total = cx_diags_count(diags) + cx_diags_dropped(diags);
        int invalid = st == CX_EINPUT || st == CX_ELIMIT;
        if (total == 0)
            fprintf(stderr, "%s: %s\n", dir, cx_status_str(st));
        else if (invalid)
            fprintf(stderr, "%s: not valid (%zu error%s)\n", dir, total, total == 1 ? "" : "s");
        else
            fprintf(stderr, "%s: cannot be read (%s)\n", dir, cx_status_str(st));
        cx_diags_destroy(diags);
        return invalid ? 2 : 1;
    }
    if (!quiet) {
        cx_scenario_counts n = cx_scenario_count(sc);
        char hz[64], t0[32];
        cxi_duration_format(cx_scenario_horizon(sc), hz, sizeof hz);
        cxi_datetime_format(cx_scenario_start(sc), t0, sizeof t0);
        /* the response tables are named only when the scenario has them, so the line stays
         * short for a pure infrastructure scenario */
        char more[160] = "", part[48];
        if (n.contingency) {
            snprintf(part, sizeof part, " (%zu contingency)", n.contingency);
            strcat(more, part);
        }
        const struct {
            size_t n;
            const char *one, *many;
        } extra[] = {{n.capacities, "capacity", "capacities"},
                     {n.couplings, "sector coupling", "sector couplings"},
                     {n.decisions, "decision", "decisions"}};
        for (size_t i = 0; i < sizeof extra / sizeof extra[0]; i++)
            if (extra[i].n) {
                snprintf(part, sizeof part, ", %zu %s", extra[i].n, extra[i].n == 1 ? extra[i].one : extra[i].many);
                strcat(more, part);
            }
        printf("%s: ok \xE2\x80\x94 %zu region%s, %zu asset%s, %zu link%s, %zu inject%s%s "
               "(horizon %s, start %s)\n",
               dir, n.regions, n.regions == 1 ? "" : "s", n.assets, n.assets == 1 ? "" : "s",
               n.links, n.links == 1 ? "" : "s", n.injects, n.injects == 1 ? "" : "s", more, hz, t0);
    }
    cx_scenario_destroy(sc);
    cx_diags_destroy(diags);
    return 0;
}
