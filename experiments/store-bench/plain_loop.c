/* The baseline of experiments/store-bench: a plain C loop of sqlite3_bind / sqlite3_step / sqlite3_reset
 * inserting EVENTS rows into the Store's events table, in one transaction, with the connection settings
 * the Store uses (WAL, synchronous = NORMAL, foreign keys on), ROWS rows per INSERT statement (default 1;
 * the Store writes 256 per statement, and the rest one at a time).
 *
 *   plain_loop DB RUN_ID EVENTS [ROWS]   (DB prepared by `store-bench prepare DB`) prints "plain EVENTS SECONDS"
 *
 * Values: a gpipe schedule over 8 devices with EVENTS / 16 micro-batches, action id i from i * 1000 ns to
 * i * 1000 + 900 ns — the same rows store-bench writes through the Store. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void check(sqlite3 *db, int rc, int expected, const char *what) {
    if (rc != expected) {
        fprintf(stderr, "plain_loop: %s: %s\n", what, sqlite3_errmsg(db));
        exit(1);
    }
}

int main(int argc, char **argv) {
    if (argc != 4 && argc != 5) { fprintf(stderr, "usage: plain_loop DB RUN_ID EVENTS [ROWS]\n"); return 1; }
    sqlite3_int64 run = atoll(argv[2]);
    long events = atol(argv[3]);
    long rows = argc == 5 ? atol(argv[4]) : 1;
    if (rows < 1 || rows > 3000) { fprintf(stderr, "ROWS must be between 1 and 3000\n"); return 1; }
    if (events < 16 || events % 16 != 0) { fprintf(stderr, "EVENTS must be a positive multiple of 16\n"); return 1; }
    long devices = 8, m = events / 16, perDevice = 2 * m;

    sqlite3 *db;
    check(db, sqlite3_open(argv[1], &db), SQLITE_OK, "open");
    check(db, sqlite3_exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;", 0, 0, 0), SQLITE_OK, "pragmas");
    sqlite3_busy_timeout(db, 30000);
    static const char *head = "INSERT INTO events (run_id, action_id, device, replica, stage, chunk, microbatch, op, start_ns, end_ns) VALUES ";
    static const char *tuple = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    sqlite3_stmt *statements[2];
    for (int which = 0; which < 2; which++) {
        long count = which == 0 ? rows : 1;
        char *sql = malloc(strlen(head) + (size_t)count * (strlen(tuple) + 2) + 1);
        strcpy(sql, head);
        for (long r = 0; r < count; r++) { if (r) strcat(sql, ", "); strcat(sql, tuple); }
        check(db, sqlite3_prepare_v2(db, sql, -1, &statements[which], 0), SQLITE_OK, "prepare");
        free(sql);
    }

    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    check(db, sqlite3_exec(db, "BEGIN IMMEDIATE", 0, 0, 0), SQLITE_OK, "begin");
    for (long first = 0; first < events;) {
        long count = events - first >= rows ? rows : 1;
        sqlite3_stmt *insert = statements[count == rows ? 0 : 1];
        for (long slot = 0; slot < count; slot++) {
            long id = first + slot, device = id / perDevice, k = id % perDevice;
            int forward = k < m, base = (int)slot * 10;
            sqlite3_bind_int64(insert, base + 1, run);
            sqlite3_bind_int64(insert, base + 2, id);
            sqlite3_bind_int64(insert, base + 3, device);
            sqlite3_bind_int64(insert, base + 4, 0);
            sqlite3_bind_int64(insert, base + 5, device);
            sqlite3_bind_int64(insert, base + 6, 0);
            sqlite3_bind_int64(insert, base + 7, forward ? k : k - m);
            sqlite3_bind_text(insert, base + 8, forward ? "F" : "B", 1, SQLITE_STATIC);
            sqlite3_bind_int64(insert, base + 9, (sqlite3_int64)id * 1000);
            sqlite3_bind_int64(insert, base + 10, (sqlite3_int64)id * 1000 + 900);
        }
        int rc = sqlite3_step(insert);
        sqlite3_reset(insert);
        check(db, rc, SQLITE_DONE, "insert");
        first += count;
    }
    check(db, sqlite3_exec(db, "COMMIT", 0, 0, 0), SQLITE_OK, "commit");
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("plain %ld %.6f\n", events, (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    sqlite3_finalize(statements[0]);
    sqlite3_finalize(statements[1]);
    sqlite3_close(db);
    return 0;
}
