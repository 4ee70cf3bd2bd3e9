/* outdir.c — atomic output folders: a run writes into "<out>.tmp-<pid>" and renames it to <out>
 * only when every file is complete; a failed run removes it, the next run removes a killed one's.
 * Invariant: <out> is untouched or the complete new output, never a mix; only a crash between the two
 * renames of a replacement leaves <out> absent, with the previous output in "<out>.old-<pid>". */
#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <dirent.h>
#include <unistd.h>

#include "io/io_api.h"

#define PATH_BUF 4096

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void
set_err(char *err, size_t errn, const char *fmt, ...) {
    va_list ap;
    if (!err || errn == 0) return;
    va_start(ap, fmt);
    vsnprintf(err, errn, fmt, ap);
    va_end(ap);
}

static void sys_err(char *err, size_t errn, const char *what, const char *path, int e) {
    char msg[160];
    if (strerror_r(e, msg, sizeof msg) != 0) snprintf(msg, sizeof msg, "error %d", e);
    set_err(err, errn, "%s '%s': %s", what, path, msg);
}

/* Copies path without trailing slashes ("out/x/" and "out/x" are the same folder). */
static int normalize(const char *in, char *out, size_t n) {
    size_t len = in ? strlen(in) : 0;
    while (len > 1 && in[len - 1] == '/') len--;
    if (len == 0 || len >= n) return -1;
    memcpy(out, in, len);
    out[len] = '\0';
    return 0;
}

static int mkdir_parents(char *path) {
    for (char *p = path + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        struct stat st;
        int rc = 0;
        if (mkdir(path, 0777) != 0 &&
            !(errno == EEXIST && stat(path, &st) == 0 && S_ISDIR(st.st_mode)))
            rc = -1;
        *p = '/';
        if (rc != 0) return -1;
    }
    return 0;
}

/* An existing folder may be replaced only when it is empty or a previous output (manifest.csv):
 * otherwise "--out ~" would delete a home directory. */
int cxi_outdir_replaceable(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) return 0;
    int empty = 1, manifest = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        empty = 0;
        if (!strcmp(e->d_name, "manifest.csv")) manifest = 1;
    }
    closedir(d);
    return empty || manifest;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path) != 0 && errno != ENOENT ? -1 : 0;
}

/* rm -rf without following symbolic links; 0 when path is gone afterwards. */
static int rmtree(const char *path) {
    struct stat st;
    if (lstat(path, &st) != 0) return errno == ENOENT ? 0 : -1;
    if (!S_ISDIR(st.st_mode)) return remove(path) == 0 ? 0 : -1;
    return nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS) == 0 ? 0 : -1;
}

/* The pid in name when it is exactly "<base>.tmp-<pid>" as begin writes it (decimal, no sign,
 * no leading zero, > 0), else 0. */
static long tmp_pid(const char *name, const char *base) {
    size_t bl = strlen(base);
    if (strncmp(name, base, bl) != 0 || strncmp(name + bl, ".tmp-", 5) != 0) return 0;
    const char *digits = name + bl + 5;
    if (digits[0] < '1' || digits[0] > '9' || strlen(digits) > 9) return 0;
    long pid = 0;
    for (const char *p = digits; *p; p++) {
        if (*p < '0' || *p > '9') return 0;
        pid = pid * 10 + (*p - '0');
    }
    return pid;
}

/* A run killed with SIGKILL leaves its "<out>.tmp-<pid>" behind; once that pid is gone nobody
 * will finish or remove it. Only folders of exactly that name, of dead processes, are removed;
 * failures are ignored (the clutter is harmless and the new run does not depend on it). */
static void remove_dead_tmps(const char *fin) {
    char parent[PATH_BUF], path[PATH_BUF];
    const char *slash = strrchr(fin, '/');
    const char *base = slash ? slash + 1 : fin;
    if (!slash)
        snprintf(parent, sizeof parent, ".");
    else if (slash == fin)
        snprintf(parent, sizeof parent, "/");
    else
        snprintf(parent, sizeof parent, "%.*s", (int)(slash - fin), fin);
    DIR *d = opendir(parent);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        long pid = tmp_pid(e->d_name, base);
        if (pid <= 0 || pid == (long)getpid()) continue;
        errno = 0;
        if (kill((pid_t)pid, 0) == 0 || errno != ESRCH) continue;
        int len = snprintf(path, sizeof path, "%s/%s", parent, e->d_name);
        struct stat st;
        if (len < 0 || (size_t)len >= sizeof path || lstat(path, &st) != 0 || !S_ISDIR(st.st_mode))
            continue;
        rmtree(path);
    }
    closedir(d);
}

/* Checks that an existing final_dir may be replaced; 0 when absent or replaceable. */
static cx_status check_final(const char *final_dir, int *exists, char *err, size_t errn) {
    struct stat st;
    *exists = 0;
    if (lstat(final_dir, &st) != 0) {
        if (errno == ENOENT) return CX_OK;
        sys_err(err, errn, "cannot inspect", final_dir, errno);
        return CX_EIO;
    }
    *exists = 1;
    if (!S_ISDIR(st.st_mode)) {
        set_err(err, errn, "refusing to replace '%s': it exists and is not a folder", final_dir);
        return CX_EINVAL;
    }
    if (!cxi_outdir_replaceable(final_dir)) {
        set_err(err, errn,
                "refusing to replace '%s': the folder is not empty and holds no manifest.csv "
                "(not a crisim output folder); choose another --out",
                final_dir);
        return CX_EINVAL;
    }
    return CX_OK;
}

cx_status cxi_outdir_begin(const char *final_dir, char *tmp_dir, size_t n, char *err, size_t errn) {
    char fin[PATH_BUF];
    int exists;
    set_err(err, errn, "%s", "");
    if (!tmp_dir || n == 0) return CX_EINVAL;
    tmp_dir[0] = '\0';
    if (normalize(final_dir, fin, sizeof fin) != 0) {
        set_err(err, errn, "bad output folder name '%s'", final_dir ? final_dir : "");
        return CX_EINVAL;
    }
    cx_status st = check_final(fin, &exists, err, errn);
    if (st != CX_OK) return st;
    int len = snprintf(tmp_dir, n, "%s.tmp-%ld", fin, (long)getpid());
    if (len < 0 || (size_t)len >= n) {
        tmp_dir[0] = '\0';
        set_err(err, errn, "output folder name too long: '%s'", fin);
        return CX_ELIMIT;
    }
    if (mkdir_parents(fin) != 0) {
        sys_err(err, errn, "cannot create the parent folders of", fin, errno);
        tmp_dir[0] = '\0';
        return CX_EIO;
    }
    remove_dead_tmps(fin);
    /* A stale folder of the same name can only come from a crashed process that had our pid. */
    if (rmtree(tmp_dir) != 0 || mkdir(tmp_dir, 0777) != 0) {
        sys_err(err, errn, "cannot create", tmp_dir, errno);
        tmp_dir[0] = '\0';
        return CX_EIO;
    }
    return CX_OK;
}

cx_status cxi_outdir_commit(const char *tmp_dir, const char *final_dir, char *err, size_t errn) {
    char fin[PATH_BUF], old[PATH_BUF + 32];
    int exists;
    set_err(err, errn, "%s", "");
    if (!tmp_dir || !*tmp_dir || normalize(final_dir, fin, sizeof fin) != 0) return CX_EINVAL;
    cx_status st = check_final(fin, &exists, err, errn);
    if (st != CX_OK) return st;
    if (!exists) {
        if (rename(tmp_dir, fin) != 0) {
            sys_err(err, errn, "cannot rename the finished output to", fin, errno);
            return CX_EIO;
        }
        return CX_OK;
    }
    snprintf(old, sizeof old, "%s.old-%ld", fin, (long)getpid());
    if (rmtree(old) != 0 || rename(fin, old) != 0) {
        sys_err(err, errn, "cannot move the previous output aside", fin, errno);
        return CX_EIO;
    }
    if (rename(tmp_dir, fin) != 0) {
        int e = errno;
        /* Put the previous output back: the caller's contract is "<out> untouched on failure". */
        if (rename(old, fin) != 0) {
            set_err(err, errn,
                    "cannot rename the finished output to '%s'; the previous output is in '%s'",
                    fin, old);
            return CX_EIO;
        }
        sys_err(err, errn, "cannot rename the finished output to", fin, e);
        return CX_EIO;
    }
    /* The new output is in place; a leftover old folder is only clutter, not a failure. */
    rmtree(old);
    return CX_OK;
}

void cxi_outdir_abort(const char *tmp_dir) {
    if (tmp_dir && *tmp_dir) rmtree(tmp_dir);
}
