/* cmd_gen.c — `crisim gen OUTDIR --assets N`: writes a synthetic, valid scenario of any size.
 * Invariant: the same options give byte-identical files (tools/gen.c); exit 0 ok, 1 I/O, 2 usage. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "gen.h"
#include "mc_util.h"

#define CMD "gen"

static void usage(FILE *f) {
    fprintf(f,
            "usage: crisim gen OUTDIR --assets N [--links M] [--regions R] [--injects K]\n"
            "                  [--cross-border F] [--locality K] [--shuffle] [--seed S]\n"
            "                  [--name NAME] [--force] [--quiet]\n"
            "\n"
            "Writes a synthetic scenario into OUTDIR (scenario.csv, regions.csv, assets.csv,\n"
            "links.csv, injects.csv) for tests and scale benchmarks. The files depend only on the\n"
            "options: the same options give the same bytes. Regions lie on a grid over Europe,\n"
            "with assets in proportion to population; each region is a grid of localities of\n"
            "about K consecutive assets of 14 sectors. A link's supplier is in the dependent's\n"
            "locality or one nearby, or (a share F) in another region, mostly at the border of\n"
            "a neighbour; power and telecom assets are the usual suppliers. Injects damage\n"
            "random assets in the first half of the 7-day horizon.\n"
            "\n"
            "options:\n"
            "  -a, --assets N    number of assets, 1 to %" PRIu64 " (required)\n"
            "  -l, --links M     number of links (default 3 per asset; no pair twice)\n"
            "  -r, --regions R   number of regions (default about sqrt(N)/6, 2 to 60)\n"
            "  -i, --injects K   number of damage injects (default max(3, N/100))\n"
            "  -x, --cross-border F  share of links whose supplier is in another region, 0 to 1\n"
            "                    (default 0.1)\n"
            "  -L, --locality K  assets per locality, 1 to %" PRIu64 " (default 50)\n"
            "      --shuffle     write assets.csv in a random row order (the same network)\n"
            "  -s, --seed S      generator seed, also the scenario's master seed (default 1)\n"
            "      --name NAME   scenario name (default gen-<N>)\n"
            "  -f, --force       replace the tables of an existing scenario in OUTDIR\n"
            "  -q, --quiet       print nothing on success\n"
            "  -h, --help        this help\n"
            "\n"
            "Exit status: 0 success, 1 write failure, 2 bad usage.\n"
            "Example: crisim gen out/gen-100k --assets 100000 && crisim mc out/gen-100k -n 20\n",
            GEN_MAX_ASSETS, GEN_MAX_LOCALITY);
}

int cmd_gen(int argc, char **argv) {
    static const struct option opts[] = {
        {"assets", required_argument, NULL, 'a'},  {"links", required_argument, NULL, 'l'},
        {"regions", required_argument, NULL, 'r'}, {"injects", required_argument, NULL, 'i'},
        {"seed", required_argument, NULL, 's'},    {"name", required_argument, NULL, 'N'},
        {"cross-border", required_argument, NULL, 'x'}, {"locality", required_argument, NULL, 'L'},
        {"shuffle", no_argument, NULL, 'S'},
        {"force", no_argument, NULL, 'f'},         {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0},
    };
    gen_opts o = gen_opts_default();
    int have_assets = 0, quiet = 0, c;
    uint64_t v;
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":a:l:r:i:s:x:L:fqh", opts, NULL)) != -1) {
        switch (c) {
        case 'a':
            if (mc_parse_u64(optarg, &o.assets) != 0 || o.assets == 0 || o.assets > GEN_MAX_ASSETS)
                return cli_usage_error(CMD, "--assets '%s': expected a number from 1 to %" PRIu64,
                                       optarg, GEN_MAX_ASSETS);
            have_assets = 1;
            break;
        case 'l':
            if (mc_parse_u64(optarg, &o.links) != 0 || o.links > GEN_MAX_LINKS)
                return cli_usage_error(CMD, "--links '%s': expected a number from 0 to %" PRIu64,
                                       optarg, GEN_MAX_LINKS);
            break;
        case 'r':
            if (mc_parse_u64(optarg, &v) != 0 || v == 0 || v > GEN_MAX_REGIONS)
                return cli_usage_error(CMD, "--regions '%s': expected a number from 1 to %u", optarg,
                                       GEN_MAX_REGIONS);
            o.regions = (uint32_t)v;
            break;
        case 'i':
            if (mc_parse_u64(optarg, &o.injects) != 0 || o.injects > GEN_MAX_INJECTS)
                return cli_usage_error(CMD, "--injects '%s': expected a number from 0 to %" PRIu64,
                                       optarg, GEN_MAX_INJECTS);
            break;
        case 's':
            if (mc_parse_u64(optarg, &o.seed) != 0)
                return cli_usage_error(CMD, "--seed '%s': expected an unsigned 64-bit integer", optarg);
            break;
        case 'x': {
            char *end = NULL;
            errno = 0;
            o.cross_border = strtod(optarg, &end);
            if (errno || end == optarg || *end || !(o.cross_border >= 0 && o.cross_border <= 1))
                return cli_usage_error(CMD, "--cross-border '%s': expected a share from 0 to 1",
                                       optarg);
            break;
        }
        case 'L':
            if (mc_parse_u64(optarg, &o.locality) != 0 || o.locality == 0 ||
                o.locality > GEN_MAX_LOCALITY)
                return cli_usage_error(CMD, "--locality '%s': expected a number from 1 to %" PRIu64,
                                       optarg, GEN_MAX_LOCALITY);
            break;
        case 'S': o.shuffle = 1; break;
        case 'N': o.name = optarg; break;
        case 'f': o.force = 1; break;
        case 'q': quiet = 1; break;
        case 'h': usage(stdout); return 0;
        case ':': return cli_usage_error(CMD, "option '%s' needs a value", argv[optind - 1]);
        default: return cli_usage_error(CMD, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc) return cli_usage_error(CMD, "missing the output folder (crisim gen OUTDIR --assets N)");
    if (optind + 1 < argc) return cli_usage_error(CMD, "unexpected argument '%s'", argv[optind + 1]);
    if (!have_assets) return cli_usage_error(CMD, "missing --assets N");
    const char *dir = argv[optind];
    char err[4400];
    gen_counts n;
    double t0 = mc_now();
    int rc = gen_write(&o, dir, &n, err, sizeof err);
    if (rc == 2) return cli_usage_error(CMD, "%s", err);
    if (rc != 0) {
        fprintf(stderr, "crisim gen: %s\n", err);
        return 1;
    }
    if (!quiet)
        printf("crisim gen: %s: %" PRIu64 " assets, %" PRIu64 " links (%" PRIu64
               " cross-border), %" PRIu32 " regions, %" PRIu64 " injects, seed %" PRIu64
               " (%.2f s)\n",
               dir, n.assets, n.links, n.cross_border, n.regions, n.injects, o.seed, mc_now() - t0);
    return 0;
}
